"""Scale scenarios and the performance harness (run with ``make bench``)."""

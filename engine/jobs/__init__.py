"""The planner's jobs, plain data in and out: run, targets from the forecast, compare, sweep,
review, recalibrate and the rest-of-quarter scenario. Nothing here reads files given on the
command line or prints; that is ``engine.commands``."""

"""One module per CLI verb: read the files it names, call the job, render the text the terminal
shows and build the report data the run folder holds."""

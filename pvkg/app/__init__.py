"""The application layer: the `pvkg` command line, the Python API, the pipeline that runs the
stages in order, reporting and evaluation. It imports every stage; no stage imports it."""

"""Load benchmarks: generate data, serve the app, measure pages with wrk."""

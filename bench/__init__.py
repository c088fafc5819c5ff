"""The benchmark scripts (run as `bench/run.py`); a package only so the import contracts see them."""

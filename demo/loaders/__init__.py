"""Loaders of the Linköping demo data in fixtures/linkoping/.

Each module has `load(stats: Stats) -> None` and is listed, in order, in
demo.management.commands.load_demo.LOADERS.
"""

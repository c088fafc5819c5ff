"""Signals of core that apps above it answer (core imports none of them)."""

from django.dispatch import Signal

# Sent by `manage.py restore` after the database was replaced (kwargs: using). Apps that keep
# database objects outside the dump's control (reports' data-token triggers) put them back.
database_restored = Signal()

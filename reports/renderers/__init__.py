"""Renderers of the report model: HTML (reports.renderers.html) and .xlsx (reports.renderers.xlsx)."""

from reports.renderers.xlsx import XLSX_CONTENT_TYPE, render_xlsx

__all__ = ["XLSX_CONTENT_TYPE", "render_xlsx"]

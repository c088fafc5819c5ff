"""The verksamhetsberättelse as one plain-data model, built once and rendered twice.

report = build_report(board, 2022)
reports = build_reports(boards, 2022)   # many boards in the queries of one
render_xlsx(report)          # reports.renderers.xlsx
report_to_json(report)       # for the archive; report_from_json() reads it back
"""

from reports.report.build import build_report, build_reports
from reports.report.cache import get_report, get_reports
from reports.report.model import (
    Cell,
    Column,
    Footnote,
    Part,
    Report,
    ReportKind,
    ReportTable,
    Row,
    RowKind,
)
from reports.report.serialize import report_from_json, report_to_json

__all__ = [
    "Cell",
    "Column",
    "Footnote",
    "Part",
    "Report",
    "ReportKind",
    "ReportTable",
    "Row",
    "RowKind",
    "build_report",
    "build_reports",
    "get_report",
    "get_reports",
    "report_from_json",
    "report_to_json",
]

"""The structure workbook: a board's plan for a year (goals, indicators, targets, values,
footnotes, assignments, styrdokument, activities) as one Excel file, out and back in.

`export.export_structure` writes it, `importing.import_structure` reads it back (all or nothing),
and `sheets` owns the sheets and their columns. Rows are named by readable ids (`NM-1`,
`IND-3`, `FN-1`, …) numbered in the board-year's order, so an exported file imported again
changes nothing.
"""

"""Read-side builders for the dashboards: plain data for the templates and the chart builders.

Each builder runs a fixed number of queries, whatever the number of boards, goals,
indicators or years (the tests in tests/test_dashboard_*.py assert it).
"""

"""Kolada, the national database of municipal key figures: client, parser and importer.

`client` fetches (from the API or from saved responses), `parsing` refuses any response that
is not of the documented shape, and `importing` stores what was fetched in one transaction.
"""

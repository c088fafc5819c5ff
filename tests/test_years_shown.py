"""A year is never shown as a number with a thousands separator ("2 022") in a page's title or
headings. USE_THOUSAND_SEPARATOR is on for amounts, so a template that prints an int year
without `unlocalize` shows it that way; this walks every page that takes a board and a year (or
a year) and reads what a person reads first."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.routes import our_routes

HEADINGS = re.compile(r"<(title|h1|h2|h3|caption)[^>]*>(.*?)</\1>", re.S)
SPLIT_YEAR = re.compile(r"\b2[\s\xa0]0\d\d\b")
ARGUMENTS = {"board_code": "AN", "year": 2022}


def year_pages() -> list[tuple[str, dict]]:
    """(URL name, kwargs) of every page whose arguments are a board and a year, or a year."""
    pages = []
    for _route, name, arguments in our_routes(("goals.", "indicators.", "budget.", "reports.")):
        if "year" in arguments and set(arguments) <= set(ARGUMENTS):
            pages.append((name, {argument: ARGUMENTS[argument] for argument in arguments}))
    return pages


def test_the_walk_finds_the_structure_pages():
    names = {name for name, _ in year_pages()}
    assert {"indicators:structure_tree", "goals:structure_goal_list", "reports:report"} <= names


@pytest.mark.django_db
def test_no_page_title_or_heading_splits_a_year(client, demo_data, admin_user):
    client.force_login(admin_user)
    problems, read = [], 0
    for name, kwargs in year_pages():
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        read += 1
        for _tag, text in HEADINGS.findall(response.content.decode()):
            if SPLIT_YEAR.search(text):
                problems.append(f"{name}: {text.strip()[:80]!r}")
    assert read > 10
    assert problems == []

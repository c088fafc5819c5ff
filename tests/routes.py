"""Every URL pattern of the project's own views, for the suites that walk them all."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def our_routes(view_modules: tuple[str, ...]) -> list[tuple[str, str, list[str]]]:
    """(route, namespaced URL name, argument names) of each pattern whose view lives in
    `view_modules` (module prefixes such as "reports."); Django's admin is not walked."""
    return list(_walk(get_resolver(), "", "", view_modules))


def _walk(resolver: URLResolver, prefix: str, namespace: str, view_modules: tuple[str, ...]):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("admin/"):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from _walk(entry, route, inner, view_modules)
        elif isinstance(entry, URLPattern) and entry.lookup_str.startswith(view_modules):
            yield route, f"{namespace}{entry.name}", ARGUMENT.findall(route)

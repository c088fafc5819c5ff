"""A narrative text prepared for templates/reports/_narrative.html: blocks become a small tree.

reports.narrative.parse gives flat blocks (paragraphs, headings, list items with their depth);
HTML needs lists as <ul>/<ol> with their items, nested lists inside an item, and headings at a
level below the outline heading the text sits under. Text stays text: the template escapes
every run; only http(s) links become <a href>.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.narrative import Block, Run, parse

SAFE_SCHEMES = ("http://", "https://")


@dataclass
class HtmlRun:
    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""  # only an http(s) address; any other link is shown as its text


@dataclass
class Item:
    runs: list[HtmlRun]
    children: list[Node] = field(default_factory=list)


@dataclass
class Node:
    kind: str  # "paragraph", "heading" or "list"
    runs: list[HtmlRun] = field(default_factory=list)
    level: int = 0  # a heading's HTML level (2–6)
    ordered: bool = False
    start: int = 1
    items: list[Item] = field(default_factory=list)
    depth: int = 0  # a list's depth (1 = top)


def _runs(runs: list[Run]) -> list[HtmlRun]:
    return [
        HtmlRun(
            run.text,
            bold=run.bold,
            italic=run.italic,
            href=run.link if run.link.lower().startswith(SAFE_SCHEMES) else "",
        )
        for run in runs
    ]


def narrative_nodes(text: str | list[Block], *, heading_level: int = 3) -> list[Node]:
    """The text's nodes; its shallowest heading is printed as <h{heading_level}> (max h6)."""
    blocks = parse(text) if isinstance(text, str) else text
    levels = [block.level for block in blocks if block.kind == "heading"]
    shallowest = min(levels, default=1)
    out: list[Node] = []
    open_lists: list[Node] = []  # the lists the next item may continue, outermost first

    def close_to(depth: int) -> None:
        while open_lists and open_lists[-1].depth > depth:
            open_lists.pop()

    for block in blocks:
        if block.kind in ("bullet", "number"):
            ordered = block.kind == "number"
            close_to(block.level)
            top = open_lists[-1] if open_lists else None
            if top is not None and top.depth == block.level and top.ordered != ordered:
                open_lists.pop()
                top = open_lists[-1] if open_lists else None
            if top is None or top.depth < block.level:
                new = Node("list", ordered=ordered, start=block.number or 1, depth=block.level)
                if top is None:
                    out.append(new)
                else:
                    top.items[-1].children.append(new)
                open_lists.append(new)
                top = new
            top.items.append(Item(_runs(block.runs)))
        elif block.kind == "paragraph" and block.level > 0:
            close_to(block.level)
            if open_lists and open_lists[-1].depth == block.level:
                open_lists[-1].items[-1].children.append(Node("paragraph", _runs(block.runs)))
            else:
                open_lists.clear()
                out.append(Node("paragraph", _runs(block.runs)))
        else:
            open_lists.clear()
            if block.kind == "heading":
                level = min(6, heading_level + block.level - shallowest)
                out.append(Node("heading", _runs(block.runs), level=level))
            else:
                out.append(Node("paragraph", _runs(block.runs)))
    return out

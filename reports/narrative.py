"""The narrative texts of a document: plain text in, blocks out (the one reader of the format).

A controller or secretary writes plain text: paragraphs separated by a blank line, lists with
"- " (or "1. "), headings with "### ", *kursiv* and **fet**, and links as <https://…>. Nothing
else is markup: raw HTML is text, shown as typed. markdown-it-py (CommonMark) reads it with
only those rules switched on; every renderer (HTML, docx) draws the same blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Headings inside a narrative sit below the outline's headings: "# " is the first level of
# the section, printed one level below the deepest outline heading (see Heading.level).
ENABLED_RULES = ["heading", "list", "paragraph", "emphasis", "autolink", "newline", "escape"]


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    link: str = ""


@dataclass
class Block:
    """A paragraph, a heading (level 1–3 inside the section) or a list item (level ≥ 1)."""

    kind: str  # "paragraph", "heading", "bullet", "number"
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # heading level, or the list depth (1 = top)
    number: int = 0  # an ordered list item's number

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("zero", {"html": False, "linkify": False}).enable(ENABLED_RULES)


def _runs(inline: Token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    link = ""
    for child in inline.children or []:
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type == "em_open":
            italic += 1
        elif child.type == "em_close":
            italic -= 1
        elif child.type == "link_open":
            link = str(child.attrs.get("href", ""))
        elif child.type == "link_close":
            link = ""
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run("\n" if child.type == "hardbreak" else " "))
        elif child.type in ("text", "code_inline"):
            runs.append(Run(child.content, bold=bold > 0, italic=italic > 0, link=link))
    merged: list[Run] = []
    for run in runs:  # neighbouring runs of one style are one run
        last = merged[-1] if merged else None
        if last and (last.bold, last.italic, last.link) == (run.bold, run.italic, run.link):
            last.text += run.text
        else:
            merged.append(run)
    return merged


def parse(text: str) -> list[Block]:
    """The blocks of a narrative text, in order. Empty text: no blocks."""
    blocks: list[Block] = []
    lists: list[list[int]] = []  # per open list: [ordered?, next number]
    pending: Block | None = None
    for token in _parser().parse(text or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1) or 1)
            lists.append([token.type == "ordered_list_open", start])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            ordered, number = lists[-1]
            pending = Block("number" if ordered else "bullet", level=len(lists), number=number)
            lists[-1][1] += 1
        elif token.type == "heading_open":
            pending = Block("heading", level=min(int(token.tag[1:]), 3))
        elif token.type == "inline":
            runs = _runs(token)
            if pending is not None and not pending.runs:
                pending.runs = runs
                blocks.append(pending)
                pending = None
            elif runs:
                # A second paragraph inside a list item continues at the item's depth.
                blocks.append(Block("paragraph", runs, level=len(lists)))
    return blocks


def plain_text(text: str) -> str:
    """The text without its markup marks, paragraph per line (for search and tests)."""
    return "\n".join(block.text for block in parse(text))

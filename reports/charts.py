"""Plotly figures built on the server and handed to the page as JSON (json_script).

The browser loads plotly.min.js from static/ once and static/js/charts.js draws every
`[data-chart]` element; nothing here reaches a CDN or writes inline script. Every figure
has a table with the same data next to it on the page, so the chart is never the only
carrier of a figure, and statuses use patterns and text as well as colour.
"""

from __future__ import annotations

import datetime
import html
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from goals.periods import Period, PeriodType
from indicators.formatting import NBSP, format_number, format_target
from indicators.models import Indicator, Target
from indicators.selectors import TOTAL, Cell, IndicatorSeries
from indicators.yearrule import derived_note

SEPARATORS = "," + NBSP  # decimal comma, no-break space between thousands
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}
INK = "#1b1b1b"

# Series styles: colour, dash and marker differ together, so no series relies on colour alone.
# Fifteen colours and fifteen markers, each used once: up to 15 series (sick leave by unit and
# kön is 13) no two share a colour or a marker. Every colour has at least 3:1 against white.
SERIES_COLOURS = [
    "#004b87",
    "#b3261e",
    "#1a6e2e",
    "#6a3d9a",
    "#8a5a00",
    "#00796b",
    "#c2185b",
    "#37474f",
    "#d84315",
    "#0277bd",
    "#6b6b00",
    "#4e342e",
    "#9c27b0",
    "#000000",
    "#3949ab",
]
SERIES_MARKERS = [
    "circle",
    "diamond",
    "square",
    "triangle-up",
    "cross",
    "star",
    "triangle-down",
    "x",
    "pentagon",
    "hexagon",
    "star-triangle-up",
    "hourglass",
    "bowtie",
    "triangle-left",
    "star-square",
]
SERIES_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
SERIES_STYLES = [
    (colour, SERIES_DASHES[index % len(SERIES_DASHES)], SERIES_MARKERS[index])
    for index, colour in enumerate(SERIES_COLOURS)
]
TARGET_COLOUR = "#444444"
BAND_COLOUR = "rgba(26, 110, 46, 0.12)"
MISSING_COLOUR = "#8a5a00"

# Goal and indicator statuses: colour + pattern + the text in the legend and the table.
STATUS_STYLE = {
    "uppnatt": ("#2e7d32", ""),
    "delvis": ("#f2a900", "/"),
    "ej_uppnatt": ("#c62828", "x"),
    "ej_bedomd": ("#9e9e9e", "."),
    "nadd": ("#2e7d32", ""),
    "ej_nadd": ("#c62828", "x"),
    "kan_ej_bedomas": ("#9e9e9e", "."),
}

# Keyed by the stored unit (a plain str from the database compares equal to its choice).
UNIT_TITLES: dict[str, str] = {
    Indicator.Unit.PERCENT: "Procent",
    Indicator.Unit.COUNT: "Antal",
    Indicator.Unit.DAYS: "Dagar",
    Indicator.Unit.MONTHS: "Månader",
    Indicator.Unit.YEARS: "År",
    Indicator.Unit.INDEX: "Index",
    Indicator.Unit.KRONOR: "Kronor",
    Indicator.Unit.RATIO: "Kvot",
    # A qualitative indicator's outcomes are texts: no point, no axis (the page draws no chart).
    Indicator.Unit.TEXT: "",
}


# Every value axis prints whole thousands the Swedish way ("50 000", never "50k"), and its
# hover values with a decimal comma; `separators` gives the characters, these the format.
VALUE_AXIS = {"exponentformat": "none", "separatethousands": True, "hoverformat": ",~f"}
LABEL_WIDTH = 30  # characters per line of a category label (long board and line names wrap)


def _axis(axis: dict | None) -> dict:
    """An axis with the Swedish number format unless it is a date or category axis."""
    axis = dict(axis or {})
    if axis.get("type") in {"date", "category"}:
        return axis
    return {**VALUE_AXIS, **axis}


def wrap_label(text: str, width: int = LABEL_WIDTH) -> str:
    """User text for a category axis: escaped, wrapped with <br> so no label is cut."""
    lines = textwrap.wrap(str(text), width=width, break_long_words=False) or [""]
    return "<br>".join(esc(line) for line in lines)


def _figure(**layout: Any) -> go.Figure:
    for name in [key for key in layout if key.startswith(("xaxis", "yaxis"))]:
        layout[name] = _axis(layout[name])
    layout.setdefault("xaxis", _axis(None))
    layout.setdefault("yaxis", _axis(None))
    base = {
        "template": "none",
        "separators": SEPARATORS,
        "font": FONT,
        "margin": {"l": 64, "r": 24, "t": 40, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hoverlabel": {"namelength": -1},
    }
    base.update(layout)
    return go.Figure(layout=base)


def esc(text: str) -> str:
    """User text for plotly: it renders hover text, names, labels and titles as a subset of
    HTML, so &, < and > are escaped (it shows the entities as the characters)."""
    return html.escape(str(text), quote=False)


def to_json(fig: go.Figure) -> dict:
    """A plain dict that json_script can write (no numpy, no Decimal)."""
    return fig.to_plotly_json()


def _number(value: Decimal | int | float | None) -> float | None:
    return None if value is None else float(value)


# --- Indicator page ---------------------------------------------------------------------------


def period_middle(period: Period) -> str:
    """Where a period's value is drawn: the middle of the period (year labels sit mid-year)."""
    if period.type == PeriodType.YEAR:
        return datetime.date(period.year, 7, 1).isoformat()
    months = PeriodType(period.type).months
    if months == 1:
        return datetime.date(period.year, period.end_month, 15).isoformat()
    middle = period.end_month - months + 1 + months / 2  # e.g. quarter 1: 2.5 = 15 February
    day = 1 if middle == int(middle) else 15
    return datetime.date(period.year, int(middle), day).isoformat()


def _with_unit(text: str, indicator: Indicator, value: Decimal | None) -> str:
    if value is not None and indicator.unit == Indicator.Unit.PERCENT:
        return f"{text}{NBSP}%"
    return text


def _missing_hover(label: str, period_label: str, cell: Cell) -> str:
    parts = [esc(f"{label} {period_label}: I.U.")]
    if cell.missing_label:
        parts.append(esc(cell.missing_label))
    parts.extend(esc(footnote) for footnote in cell.footnotes)
    return "<br>".join(parts)


@dataclass
class _SeriesKey:
    code: str
    label: str
    order: tuple


def series_keys(series: IndicatorSeries) -> list[_SeriesKey]:
    """The breakdowns with values, total first, then in the breakdowns' order (Kvinnor, Män…)."""
    keys: dict[str, _SeriesKey] = {}
    for cells in series.values.values():
        for code, cell in cells.items():
            if code in keys:
                continue
            if code == TOTAL or cell.breakdown is None:
                keys[code] = _SeriesKey(TOTAL, "Totalt", (-1, ""))
            else:
                keys[code] = _SeriesKey(code, cell.breakdown.label, (cell.breakdown.order, code))
    return sorted(keys.values(), key=lambda key: key.order)


def sorted_periods(series: IndicatorSeries, years: Iterable[int]) -> list[Period]:
    wanted = set(years)
    periods = {
        Period(year, PeriodType(period_type), number)
        for (year, period_type, number), cells in series.values.items()
        if cells and year in wanted
    }
    periods.update(Period(year, PeriodType.YEAR, 1) for year in wanted)
    return sorted(periods, key=lambda p: (p.year, p.end_month, p.type == PeriodType.YEAR))


def _target_shapes(
    targets: dict[int, Target], years: Sequence[int], y_low: float, y_high: float
) -> tuple[list, list, list, list, list]:
    """Target line points and bound bands as (line_x, line_y, line_text, band_x, band_y)."""
    line_x: list = []
    line_y: list = []
    line_text: list = []
    band_x: list = []
    band_y: list = []
    for year in years:
        target = targets.get(year)
        if target is None or target.kind not in {"varde", "grans"} or target.value is None:
            continue
        value = float(target.value)
        start, end = datetime.date(year, 1, 1).isoformat(), datetime.date(year, 12, 31).isoformat()
        text = esc(f"Målvärde {year}: {format_target(target)}")
        line_x += [start, end, None]
        line_y += [value, value, None]
        line_text += [text, text, None]
        if target.kind == "grans":
            other = y_high if target.operator in {">=", ">"} else y_low
            band_x += [start, end, end, start, start, None]
            band_y += [value, value, other, other, value, None]
    return line_x, line_y, line_text, band_x, band_y


def indicator_chart(series: IndicatorSeries, years: Sequence[int]) -> dict:
    """Values over the years (and the quarters, tertials, months that exist), one trace per
    breakdown (Totalt, Kvinnor, Män, units), the target as a line (a bound also as a band),
    and I.U. drawn as gaps with a marker whose hover text gives the reason."""
    indicator = series.indicator
    years = sorted(set(years))
    periods = sorted_periods(series, years)
    yearly = [p for p in periods if p.type == PeriodType.YEAR]
    sub_year = [p for p in periods if p.type != PeriodType.YEAR]
    two_axes = bool(sub_year and yearly) and indicator.aggregation == Indicator.Aggregation.FLOW
    targets = {year: t for year in years if (t := series.target(year)) is not None}
    y_low, y_high = _value_range(series, years, targets)
    margin = (y_high - y_low) * 0.1 or 1.0

    fig = _indicator_figure(indicator, years, y_low)
    fig.update_layout(margin={"l": 64, "r": 24, "t": 56, "b": 40})  # room for I.U. at the top
    _add_target_traces(fig, targets, years, y_low - margin if y_low < 0 else y_low, y_high + margin)
    missing_x: list[str] = []
    missing_text: list[str] = []
    keys = series_keys(series)
    for index, key in enumerate(keys):
        style = SERIES_STYLES[index % len(SERIES_STYLES)]
        for group, group_periods in (("", yearly), (" per period", sub_year)):
            trace = _series_trace(series, key, group, group_periods, style, missing_x, missing_text)
            if trace is not None:
                if group and two_axes:
                    trace.update(yaxis="y2")
                fig.add_trace(trace)
    if len(keys) > FEW_SERIES:
        _legend_below(fig)
    if two_axes:
        fig.update_layout(
            yaxis2=_axis(
                {
                    "title": {"text": "Per period"},
                    "overlaying": "y",
                    "side": "right",
                    "rangemode": "tozero",
                    "showgrid": False,
                }
            ),
            margin={"l": 64, "r": 64, "t": 56, "b": 40},
        )
    if missing_x:
        fig.add_trace(_missing_trace(missing_x, missing_text))
        fig.update_layout(yaxis3=MISSING_AXIS)
    return to_json(fig)


FEW_SERIES = 4  # more series than this: the legend goes below the plot, which keeps its height
LEGEND_ROW = 22  # pixels per legend line


def _legend_below(fig: go.Figure) -> None:
    """A long legend under the plot in columns, the figure taller by its rows."""
    entries = sum(1 for trace in fig.data if trace.showlegend is not False)
    rows = -(-entries // 2)
    fig.update_layout(
        height=380 + LEGEND_ROW * rows,
        legend={
            "orientation": "h",
            "x": 0,
            "y": -0.08,
            "yanchor": "top",
            "entrywidth": 0.5,
            "entrywidthmode": "fraction",
        },
        margin={"b": 40 + LEGEND_ROW * rows},
    )


def _value_range(
    series: IndicatorSeries, years: Sequence[int], targets: dict
) -> tuple[float, float]:
    """The lowest and highest figure the chart shows (values and target values), with 0."""
    known = [
        float(cell.value)
        for (year, _, _), cells in series.values.items()
        if year in years
        for cell in cells.values()
        if cell.value is not None
    ]
    known += [float(t.value) for t in targets.values() if t.value is not None]
    return min([0.0, *known]), max([0.0, *known])


def _indicator_figure(indicator: Indicator, years: Sequence[int], y_low: float) -> go.Figure:
    """The empty chart: a year axis over the years shown, the unit on the value axis."""
    return _figure(
        height=380,
        hovermode="closest",
        xaxis={
            "type": "date",
            "tickformat": "%Y",
            "dtick": "M12",
            "ticklabelmode": "period",
            "range": [f"{years[0]}-01-01", f"{years[-1] + 1}-01-01"] if years else None,
            "showgrid": False,
            "linecolor": INK,
        },
        yaxis={
            "title": {"text": UNIT_TITLES.get(indicator.unit, "")},
            "gridcolor": "#e3e3e3",
            "zeroline": True,
            "zerolinecolor": "#9e9e9e",
            "rangemode": "tozero" if y_low >= 0 else "normal",
            "automargin": True,
        },
    )


def _add_target_traces(
    fig: go.Figure, targets: dict, years: Sequence[int], y_low: float, y_high: float
) -> None:
    """The target as a dashed line, and a bound's acceptable side as a band."""
    line_x, line_y, line_text, band_x, band_y = _target_shapes(targets, years, y_low, y_high)
    if band_x:
        fig.add_trace(
            go.Scatter(
                x=band_x,
                y=band_y,
                name="Godtagbart område (gräns)",
                mode="lines",
                fill="toself",
                fillcolor=BAND_COLOUR,
                line={"width": 0},
                hoverinfo="skip",
            )
        )
    if line_x:
        fig.add_trace(
            go.Scatter(
                x=line_x,
                y=line_y,
                name="Målvärde",
                mode="lines",
                line={"color": TARGET_COLOUR, "dash": "dash", "width": 2},
                hovertext=line_text,
                hoverinfo="text",
            )
        )


def _series_trace(
    series: IndicatorSeries,
    key: _SeriesKey,
    group: str,
    periods: Sequence[Period],
    style: tuple[str, str, str],
    missing_x: list[str],
    missing_text: list[str],
) -> go.Scatter | None:
    """One breakdown's line over the periods of one group (the years, or the periods within
    them), or None when it has no figure there. An I.U. is a gap in the line; its point and
    hover text go to `missing_x`/`missing_text`, drawn once for all series."""
    indicator = series.indicator
    xs: list[str] = []
    ys: list[float | None] = []
    texts: list[str | None] = []
    for period in periods:
        cell = series.cells(period.year, period.type, period.number).get(key.code)
        if cell is None and group:
            continue
        xs.append(period_middle(period))
        if cell is None:
            ys.append(None)
            texts.append(esc(f"{key.label} {period.label}: inget värde"))
            continue
        ys.append(_number(cell.value))
        if cell.is_missing:
            texts.append(None)
            missing_x.append(period_middle(period))
            missing_text.append(_missing_hover(key.label, period.label, cell))
        else:
            text = esc(
                f"{key.label} {period.label}: {_with_unit(cell.text, indicator, cell.value)}"
            )
            if cell.is_derived:
                text += "<br>" + esc(derived_note(indicator))
            texts.append(text)
    if not xs or all(y is None for y in ys):
        return None
    colour, dash, symbol = style
    return go.Scatter(
        x=xs,
        y=ys,
        name=esc(key.label + group),
        mode="lines+markers",
        connectgaps=False,
        line={"color": colour, "dash": dash, "width": 2.5 if not group else 1.5},
        marker={"symbol": symbol, "size": 9 if not group else 6, "color": colour},
        hovertext=texts,
        hoverinfo="text",
    )


# I.U. has no value: its marker sits on an axis of its own (0 at the bottom, 1 at the top of
# the plot, not drawn) at the top edge, labelled "I.U.", so it never reads as a value or as 0.
MISSING_AXIS = {
    "overlaying": "y",
    "range": [0, 1],
    "fixedrange": True,
    "visible": False,
    "showgrid": False,
    "zeroline": False,
}
MISSING_Y = 1.0


def _missing_trace(missing_x: list[str], missing_text: list[str]) -> go.Scatter:
    """The I.U. markers, one trace for all series, with the reason in the hover text."""
    return go.Scatter(
        x=missing_x,
        y=[MISSING_Y] * len(missing_x),
        yaxis="y3",
        name="I.U. (ingen uppgift)",
        mode="markers+text",
        text=["I.U."] * len(missing_x),
        textposition="bottom center",
        textfont={"color": MISSING_COLOUR},
        marker={
            "symbol": "x-thin-open",
            "size": 12,
            "color": MISSING_COLOUR,
            "line": {"width": 2, "color": MISSING_COLOUR},
        },
        hovertext=missing_text,
        hoverinfo="text",
        cliponaxis=False,
    )


# --- Status summaries ---------------------------------------------------------------------------


def status_chart(counts: Sequence, *, title: str) -> dict:
    """One horizontal bar per status (e.g. how many nämndmål are Uppnått), symbol and text on the axis."""
    labels = [esc(f"{item.status.symbol} {item.status.label}") for item in counts]
    values = [item.count for item in counts]
    colours = [STATUS_STYLE[item.status.key][0] for item in counts]
    patterns = [STATUS_STYLE[item.status.key][1] for item in counts]
    fig = _figure(
        height=70 + 34 * len(counts),
        margin={"l": 24, "r": 24, "t": 8, "b": 48},
        showlegend=False,
        xaxis={
            "title": {"text": esc(title)},
            "gridcolor": "#e3e3e3",
            # Every whole number up to ten; beyond that plotly's own steps keep the labels apart.
            "dtick": 1 if max(values, default=0) <= 10 else None,
            "rangemode": "tozero",
        },
        yaxis={"autorange": "reversed", "automargin": True},
    )
    fig.add_trace(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={
                "color": colours,
                "pattern": {"shape": patterns},
                "line": {"color": INK, "width": 1},
            },
            text=[str(value) for value in values],
            textposition="outside",
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    return to_json(fig)


def stacked_status_chart(
    names: Sequence[str], rows: Sequence[Sequence], *, axis_title: str
) -> dict:
    """Boards side by side: one stacked horizontal bar per board, one segment per status.

    `rows[i]` is board i's list of StatusCount, all in the same status order.
    """
    fig = _figure(
        height=90 + 36 * max(len(names), 1),
        barmode="stack",
        margin={"l": 24, "r": 24, "t": 56, "b": 48},
        xaxis={"title": {"text": esc(axis_title)}, "gridcolor": "#e3e3e3", "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
    )
    if not rows:
        return to_json(fig)
    for index, item in enumerate(rows[0]):
        status = item.status
        colour, pattern = STATUS_STYLE[status.key]
        values = [row[index].count for row in rows]
        fig.add_trace(
            go.Bar(
                x=values,
                y=[wrap_label(name) for name in names],
                name=f"{status.symbol} {status.label}",
                orientation="h",
                marker={
                    "color": colour,
                    "pattern": {"shape": pattern},
                    "line": {"color": INK, "width": 1},
                },
                hovertemplate="%{y}: %{x} " + status.label.lower() + "<extra></extra>",
            )
        )
    return to_json(fig)


# --- Economy ----------------------------------------------------------------------------------


SURPLUS_COLOUR = "#2e7d32"
DEFICIT_COLOUR = "#c62828"


def signed_tkr(value: int | None) -> str:
    """+5 249 / −4 914 / 0: the deviation's sign is part of the figure."""
    if value is None:
        return "inget utfall"
    text = format_number(abs(value))
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text
    return text


def deviation_chart(
    labels: Sequence[str],
    budget_tkr: Sequence[int | None],
    outcome_tkr: Sequence[int | None],
    deviation_tkr: Sequence[int | None],
    *,
    outcome_name: str,
    budget_name: str,
) -> dict:
    """The deviation from budget (budget − outcome, tkr) per line or board as one bar each.

    A manager asks "over or under budget, and by how much": a bar as long as the deviation
    shows a 4 914 tkr overrun on a 300 000 tkr line as plainly as on a small one, which bars of
    budget and outcome side by side do not. Surplus is green to the right, deficit red with a
    pattern to the left, and every bar carries its signed figure; budget and outcome are in the
    hover text and in the table beside the chart.
    """
    fig = _figure(
        height=80 + 44 * max(len(labels), 1),
        margin={"l": 24, "r": 24, "t": 8, "b": 56},
        showlegend=False,
        xaxis={
            "title": {"text": "Avvikelse mot budget, tkr (positivt = överskott)"},
            "gridcolor": "#e3e3e3",
            "zeroline": True,
            "zerolinecolor": INK,
            "zerolinewidth": 2,
            "automargin": True,
        },
        yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
    )
    values = [_number(value) for value in deviation_tkr]
    known = [value for value in values if value is not None]
    # Room beyond the longest bars for their figures, so a label never meets the axis text.
    low, high = min([0.0, *known]), max([0.0, *known])
    pad = (high - low) * 0.22 or 1.0
    fig.update_xaxes(range=[low - pad if low < 0 else 0, high + pad if high > 0 else pad * 0.2])
    colours = [SURPLUS_COLOUR if (value or 0) >= 0 else DEFICIT_COLOUR for value in values]
    patterns = ["" if (value or 0) >= 0 else "x" for value in values]
    hover = [
        "<br>".join(
            [
                esc(label),
                esc(f"{budget_name}: {format_number(budget)} tkr"),
                esc(f"{outcome_name}: {format_number(outcome)} tkr"),
                esc(f"Avvikelse: {signed_tkr(deviation)} tkr"),
            ]
        )
        for label, budget, outcome, deviation in zip(
            labels, budget_tkr, outcome_tkr, deviation_tkr, strict=True
        )
    ]
    fig.add_trace(
        go.Bar(
            x=values,
            y=[wrap_label(label) for label in labels],
            orientation="h",
            name="Avvikelse mot budget",
            marker={
                "color": colours,
                "pattern": {"shape": patterns},
                "line": {"color": INK, "width": 1},
            },
            text=[signed_tkr(value) for value in deviation_tkr],
            textposition="outside",
            cliponaxis=False,
            hovertext=hover,
            hoverinfo="text",
        )
    )
    return to_json(fig)


def forecast_chart(
    points: Sequence[str],
    deviations_tkr: Sequence[int | None],
    *,
    name: str = "Avvikelse mot budget",
) -> dict:
    """The deviation against budget as forecast through the year, ending with bokslut (tkr).

    Positive is a surplus. The zero line is the budget.
    """
    fig = _figure(
        height=320,
        xaxis={"type": "category", "title": {"text": "Prognostillfälle"}},
        yaxis={
            "title": {"text": "tkr (positivt = överskott)"},
            "tickformat": ",.0f",
            "automargin": True,
            "gridcolor": "#e3e3e3",
            "zeroline": True,
            "zerolinecolor": INK,
            "zerolinewidth": 2,
        },
        hovermode="closest",
    )
    texts = [
        esc(
            f"{point}: {format_number(value)} tkr"
            if value is not None
            else f"{point}: ingen prognos"
        )
        for point, value in zip(points, deviations_tkr, strict=True)
    ]
    fig.add_trace(
        go.Scatter(
            x=[esc(point) for point in points],
            y=[_number(value) for value in deviations_tkr],
            name=esc(name),
            mode="lines+markers+text",
            text=[format_number(value) if value is not None else "" for value in deviations_tkr],
            textposition="top center",
            line={"color": "#004b87", "width": 2.5},
            marker={"size": 10, "symbol": "circle"},
            connectgaps=False,
            hovertext=texts,
            hoverinfo="text",
        )
    )
    return to_json(fig)

"""The one write path of the indicator side of the structure: indicators, the breakdowns they
are reported by, and their targets (målvärden).

The structure pages, the structure workbook and the year rollover call these functions. Each is
keyword-only, checks the user's right (Action.ADMINISTER on the indicator's board), runs
`full_clean()` in one transaction (nothing is written when one row is refused) and records the
user in the history.

Indicators carry years (YearRange) and are edited *as of a year* Y, as the goal chain is
(goals.structure_services):

* an indicator valid before Y is split: the old row is closed at Y-1 and a new row from Y, with
  `predecessor` = the old one, carries the change. Its breakdown links, sub-indicators, values,
  targets and footnotes of the years from Y follow the new row, so earlier years' reports are
  unchanged and later years find everything on the new row;
* a change that reaches a year an approved occasion of the board covers needs a reason and is
  recorded as a `goals.models.StructureCorrection`, never a silent rewrite.

Breakdowns are chosen with plain words (kön, förvaltning/enhet, kategori); the code of a
`Breakdown` row is made here with `Breakdown.make_code`, and the row is created when missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.audit import ChangeSource, change_source
from core.changes import data_changed
from goals.access import Action, can
from goals.models import (
    Board,
    BoardGoal,
    OrganisationUnit,
    ReportingOccasion,
    StructureCorrection,
)
from goals.periods import PeriodType
from goals.structure_services import (
    approved_occasion_for,
    approved_occasions_from,
    record_corrections,
    require_correction_reason,
    save_row,
)
from indicators.formatting import format_target
from indicators.models import (
    Breakdown,
    Footnote,
    Indicator,
    IndicatorBreakdown,
    IndicatorValue,
    KoladaLink,
    Target,
    target_year_allowed,
)
from indicators.parsing import parse_swedish_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NO_RIGHT = "Du saknar behörighet att ändra nämndens struktur."
NAME_REQUIRED = "Ange indikatorns namn."
INDICATOR_NOT_VALID = "Indikatorn gäller inte år {year}."
GOAL_NOT_OF_BOARD_YEAR = "Nämndmålet hör inte till nämnden eller gäller inte år {year}."
GOAL_REQUIRED = "En nämndindikator ska följa upp ett nämndmål."
NO_GOAL_FOR_VOLUME = "Volymmått och personaltal hör inte till något nämndmål."
PARENT_NOT_VALID = "Huvudindikatorn hör inte till nämnden eller gäller inte år {year}."
PARENT_IS_SUB = "En delindikator kan inte ha egna delindikatorer."
UNIT_NOT_OF_BOARD = "Förvaltningen eller enheten {unit} arbetar inte för nämnden år {year}."
CATEGORY_TOO_LONG = "En kategori får vara högst 100 tecken."
BREAKDOWN_IN_USE = (
    "Indikatorn har utfall eller målvärden för {breakdown} år {year} eller senare; uppdelningen "
    "kan inte tas bort förrän de är borttagna."
)
HAS_DATA_AFTER = (
    "Indikatorn har utfall eller målvärden efter år {year} och kan inte avslutas då. "
    "Ta bort dem först (målvärdet för totalen året efter får stå kvar)."
)
END_BEFORE_START = "Indikatorn börjar gälla {first}; den kan inte avslutas före det."
TARGET_YEAR_OUTSIDE = "Målvärden anges här för år {year} och {next}."
TARGET_BREAKDOWN_NOT_REPORTED = "Indikatorn redovisas inte med uppdelningen {breakdown} år {year}."
TARGET_KIND_UNKNOWN = "Välj en typ av målvärde."
TARGET_VALUE_REQUIRED = "Ange ett tal."
TARGET_OPERATOR_REQUIRED = "Välj en jämförelse (≥, >, ≤ eller <)."
TARGET_TREND_REQUIRED = "Välj en riktning."
TARGET_TEXT_REQUIRED = "Ange målets text."
TARGET_TEXT_TOO_LONG = "Texten får vara högst 300 tecken."
BASE_YEAR_INVALID = "Ange basåret som ett årtal, högst målåret."
BASE_YEAR_WITHOUT_VALUE = "Ange basvärdet till basåret."
TARGETS_REFUSED = "Målvärdena sparades inte: rätta felen vid fälten."

# The order breakdown rows are printed in: the total, Kvinnor, Män, then units and categories.
GENDER_ORDER = {"": 0, "K": 1, "M": 2}
OTHER_ORDER = 3

DEFINITION_LABEL = "definition"

CHANGED_FIELDS = (
    "name",
    "category",
    "unit",
    "decimals",
    "direction",
    "source",
    "frequency",
    "aggregation",
    "mandatory",
    "board_goal",
    "parent",
    "order",
)


@dataclass
class Saved:
    """What a service wrote, and the corrections it recorded for approved years."""

    object: Any
    corrections: list[StructureCorrection] = field(default_factory=list)
    changed: bool = True


@dataclass(frozen=True)
class TargetInput:
    """One cell of the target grid as the user typed it (numbers as Swedish text).

    `breakdown` None is the total. An empty `kind` means no target: a stored one is removed.
    """

    year: int
    breakdown: Breakdown | None = None
    kind: str = ""
    operator: str = ""
    value: str = ""
    trend: str = ""
    base_value: str = ""
    base_year: str = ""
    text: str = ""

    @property
    def key(self) -> str:
        """The name prefix of the grid's fields for this cell (also the key of its errors)."""
        return target_key(self.year, self.breakdown)


def target_key(year: int, breakdown: Breakdown | None) -> str:
    return f"t{year}-{breakdown.pk if breakdown is not None and not breakdown.is_total else 0}"


class TargetErrors(ValidationError):
    """The grid's refusals per cell: {cell key: {field: message}}. Nothing was written."""

    def __init__(self, errors: dict[str, dict[str, str]]) -> None:
        self.cells = errors
        super().__init__(TARGETS_REFUSED, code="targets_refused")


# ---------------------------------------------------------------------------------------------
# Rights, approved years, corrections


def approved_years(board_id: int, first: int, last: int | None) -> list[ReportingOccasion]:
    """One approved occasion per year of first..last (open end: every later year), in order."""
    return approved_occasions_from([board_id], first, last)


def _require_board(user: User | None, board: Board | int) -> None:
    """`user` None is the command line (import_structure, rollover): the operator's own run."""
    if user is not None and not can(user, Action.ADMINISTER, board):
        raise ValidationError(NO_RIGHT, code="no_right")


def _shown(value: object) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return "ja"
    if value is False:
        return "nej"
    return str(value)


def _describe(indicator: Indicator, diff: dict[str, tuple[object, object]]) -> str:
    lines = []
    for name, (old, new) in diff.items():
        model_field = Indicator._meta.get_field(name)
        choices = dict(model_field.choices or [])  # type: ignore[union-attr]
        old_shown = choices.get(old, old) if choices else old
        new_shown = choices.get(new, new) if choices else new
        lines.append(
            f"{model_field.verbose_name}: {_shown(old_shown)} → {_shown(new_shown)}"  # type: ignore[union-attr]
        )
    return "\n".join(lines)


def _label(indicator: Indicator) -> str:
    return f"Indikator ”{indicator.name}”"


# ---------------------------------------------------------------------------------------------
# Indicators


def _check_links(
    *,
    board: Board,
    year: int,
    category: str,
    board_goal: BoardGoal | None,
    parent: Indicator | None,
) -> None:
    if parent is not None:
        if parent.board_id != board.pk or not parent.is_valid_in(year):
            raise ValidationError(
                {"parent": PARENT_NOT_VALID.format(year=year)}, code="parent_not_valid"
            )
        if parent.parent_id is not None:
            raise ValidationError({"parent": PARENT_IS_SUB}, code="parent_is_sub")
    if category == Indicator.Category.GOAL:
        if board_goal is None and parent is None:
            raise ValidationError({"board_goal": GOAL_REQUIRED}, code="goal_required")
        if board_goal is not None and (
            board_goal.board_id != board.pk or not board_goal.is_valid_in(year)
        ):
            raise ValidationError(
                {"board_goal": GOAL_NOT_OF_BOARD_YEAR.format(year=year)},
                code="goal_not_valid",
            )
    elif board_goal is not None:
        raise ValidationError({"board_goal": NO_GOAL_FOR_VOLUME}, code="no_goal_for_volume")


@transaction.atomic
def create_indicator(
    *,
    user: User | None,
    board: Board,
    year: int,
    name: str,
    category: str = Indicator.Category.GOAL,
    board_goal: BoardGoal | None = None,
    parent: Indicator | None = None,
    unit: str = Indicator.Unit.COUNT,
    decimals: int = 0,
    direction: str = Indicator.Direction.HIGHER,
    source: str = "",
    frequency: str = PeriodType.YEAR,
    aggregation: str = Indicator.Aggregation.ONCE,
    mandatory: bool = False,
    order: int | None = None,
    definition: str = "",
    reason: str = "",
    source_of_change: ChangeSource = ChangeSource.FORM,
) -> Saved:
    """A new indicator from `year`, under a nämndmål (or a main indicator), or a volume/staff
    measure without a goal. It runs as long as its goal (or main indicator) does."""
    _require_board(user, board)
    name = name.strip()
    if not name:
        raise ValidationError({"name": NAME_REQUIRED}, code="name_required")
    if parent is not None and board_goal is None:
        board_goal = parent.board_goal
    _check_links(board=board, year=year, category=category, board_goal=board_goal, parent=parent)
    ends = parent.valid_to if parent is not None else board_goal.valid_to if board_goal else None
    if order is None:
        siblings = Indicator.objects.filter(board=board, category=category).valid_in(year)
        siblings = siblings.filter(parent=parent) if parent else siblings.filter(parent=None)
        if board_goal is not None and parent is None:
            siblings = siblings.filter(board_goal=board_goal)
        order = (siblings.aggregate(m=models.Max("order"))["m"] or 0) + 1
    indicator = Indicator(
        board=board,
        category=category,
        board_goal=board_goal,
        parent=parent,
        name=name,
        unit=unit,
        decimals=decimals,
        direction=direction,
        source=source.strip(),
        frequency=frequency,
        aggregation=aggregation,
        mandatory=mandatory,
        order=order,
        valid_from=year,
        valid_to=ends,
    )
    occasions = approved_years(board.pk, year, ends)
    require_correction_reason(occasions, reason)
    with change_source(source_of_change):
        save_row(indicator, user)
        if definition.strip():
            _set_definition(indicator, definition.strip(), user)
        corrections = record_corrections(
            occasions, label=_label(indicator), changes="Ny indikator", reason=reason, user=user
        )
    return Saved(indicator, corrections)


@transaction.atomic
def update_indicator(
    *,
    user: User | None,
    indicator: Indicator,
    year: int,
    changes: dict[str, Any],
    definition: str | None = None,
    reason: str = "",
    source_of_change: ChangeSource = ChangeSource.FORM,
) -> Saved:
    """Change the indicator's fields for `year` and the years after it (see the module doc).

    `changes` names fields of CHANGED_FIELDS; a goal or main indicator is given as the row.
    `definition` (None: unchanged) is the text of the indicator's definition footnote.
    """
    _require_board(user, indicator.board_id)
    unknown = set(changes) - set(CHANGED_FIELDS)
    if unknown:
        raise ValueError(f"Fält som inte kan ändras här: {sorted(unknown)}")
    indicator = Indicator.objects.select_for_update().select_related("board").get(pk=indicator.pk)
    if not indicator.is_valid_in(year):
        raise ValidationError(INDICATOR_NOT_VALID.format(year=year), code="not_valid_in_year")
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise ValidationError({"name": NAME_REQUIRED}, code="name_required")
    if "source" in changes:
        changes["source"] = (changes["source"] or "").strip()
    diff = _diff(indicator, changes)
    note = definition_of(indicator)
    old_definition = note.text if note is not None else ""
    if definition is not None and definition.strip() != old_definition:
        definition = definition.strip()
    else:
        definition = None
    if not diff and definition is None:
        return Saved(indicator, changed=False)
    if "board_goal" in changes or "parent" in changes or "category" in changes:
        _check_links(
            board=indicator.board,
            year=year,
            category=changes.get("category", indicator.category),
            board_goal=changes.get("board_goal", indicator.board_goal),
            parent=changes.get("parent", indicator.parent),
        )
    occasions = approved_years(indicator.board_id, year, indicator.valid_to)
    require_correction_reason(occasions, reason)
    label = _label(indicator)
    described = _describe(indicator, {k: _plain(v) for k, v in diff.items()})
    if definition is not None:
        described = "\n".join(
            filter(
                None,
                [described, f"{DEFINITION_LABEL}: {_shown(old_definition)} → {_shown(definition)}"],
            )
        )
    with change_source(source_of_change):
        if indicator.valid_from < year:
            saved = split_indicator(indicator, year=year, changes=changes, user=user)
        else:
            for name, value in changes.items():
                setattr(indicator, name, value)
            save_row(indicator, user)
            saved = indicator
        if definition is not None:
            _set_definition(saved, definition, user)
        corrections = record_corrections(
            occasions, label=label, changes=described, reason=reason, user=user
        )
    return Saved(saved, corrections)


def definition_of(indicator: Indicator) -> Footnote | None:
    """The indicator's definition: its first footnote for every year (printed as a footnote on
    the indicator's name, as the plans print a definition)."""
    return Footnote.objects.filter(indicator=indicator, year=None).order_by("order", "pk").first()


def _set_definition(indicator: Indicator, text: str, user: User | None) -> None:
    note = definition_of(indicator)
    if not text:
        if note is not None:
            note._history_user = user
            note.delete()
        return
    if note is None:
        note = Footnote(indicator=indicator, order=0)
    note.text = text
    save_row(note, user)


def _plain(pair: tuple[object, object]) -> tuple[object, object]:
    return tuple(str(v) if isinstance(v, models.Model) else v for v in pair)  # type: ignore[return-value]


def _diff(obj: models.Model, changes: dict[str, Any]) -> dict[str, tuple[object, object]]:
    found = {}
    for name, new in changes.items():
        old = getattr(obj, name)
        old_key = old.pk if isinstance(old, models.Model) else old
        new_key = new.pk if isinstance(new, models.Model) else new
        if old_key != new_key:
            found[name] = (old, new)
    return found


def split_indicator(
    indicator: Indicator, *, year: int, changes: dict[str, Any], user: User | None
) -> Indicator:
    """Close `indicator` at year-1 and open a copy from `year` with the changes; return it.

    What hangs on the old row in the years from `year` follows the copy: breakdown links
    (a link that began earlier is split the same way), sub-indicators, values, targets and
    the indicator's footnotes of those years (a footnote for every year is copied). Values of
    an approved year move with the recorded correction; their content does not change.
    Called inside the caller's transaction (update_indicator, the goals' split hook).
    """
    ends = indicator.valid_to
    indicator.valid_to = year - 1
    save_row(indicator, user)
    new = Indicator.objects.get(pk=indicator.pk)
    new.pk = None
    new.id = None
    new._state.adding = True
    new.valid_from = year
    new.valid_to = ends
    new.predecessor = indicator
    for name, value in changes.items():
        setattr(new, name, value)
    save_row(new, user)
    for link in IndicatorBreakdown.objects.filter(indicator=indicator).valid_between(year, 9999):
        if link.valid_from >= year:
            link.indicator = new
            save_row(link, user)
        else:
            link_ends = link.valid_to
            link.valid_to = year - 1
            save_row(link, user)
            save_row(
                IndicatorBreakdown(
                    indicator=new,
                    breakdown_id=link.breakdown_id,
                    order=link.order,
                    valid_from=year,
                    valid_to=link_ends,
                ),
                user,
            )
    for child in Indicator.objects.filter(parent=indicator).valid_between(year, 9999):
        if child.valid_from >= year:
            child.parent = new
            save_row(child, user)
        else:
            split_indicator(child, year=year, changes={"parent": new}, user=user)
    # Plain updates: the rows' content is unchanged, only the indicator they hang on.
    IndicatorValue._base_manager.filter(indicator=indicator, year__gte=year).update(indicator=new)
    Target.objects.filter(indicator=indicator, year__gte=year).update(indicator=new)
    Footnote.objects.filter(indicator=indicator, year__gte=year).update(indicator=new)
    for note in Footnote.objects.filter(indicator=indicator, year=None):
        save_row(Footnote(indicator=new, text=note.text, order=note.order), user)
    # The comparison with Kolada follows into the new years; the old row keeps its own.
    for link in KoladaLink.objects.filter(indicator=indicator):
        KoladaLink.objects.create(indicator=new, kpi_id=link.kpi_id)
    return new


def follow_board_goal_split(
    old: models.Model, new: models.Model, year: int, user: User | None = None
) -> None:
    """The goals' split hook: the indicators of a nämndmål split at `year` follow its new row.

    An indicator that began before `year` is split too, so the old goal keeps its indicators
    in the years before. Registered with goals.structure_services.register_split_hook.
    """
    if not isinstance(old, BoardGoal) or not isinstance(new, BoardGoal):
        return
    for indicator in Indicator.objects.filter(board_goal=old).valid_between(year, 9999):
        if indicator.valid_from >= year:
            indicator.board_goal = new
            save_row(indicator, user)
        elif indicator.parent_id is None:
            split_indicator(indicator, year=year, changes={"board_goal": new}, user=user)
    # Sub-indicators split with their main indicator keep the old goal: move them.
    Indicator.objects.filter(board_goal=old, valid_from__gte=year).update(board_goal=new)
    # The goal's footnotes of those years follow it; a footnote for every year is copied.
    Footnote.objects.filter(board_goal=old, year__gte=year).update(board_goal=new)
    for note in Footnote.objects.filter(board_goal=old, year=None):
        save_row(Footnote(board_goal=new, text=note.text, order=note.order), user)


@transaction.atomic
def end_indicator(
    *, user: User | None, indicator: Indicator, last_year: int, reason: str = ""
) -> Saved:
    """The indicator (with its sub-indicators and breakdown links) ends after `last_year`.

    Refused while it has values or targets after that year: nothing is silently dropped.
    """
    _require_board(user, indicator.board_id)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if last_year < indicator.valid_from:
        raise ValidationError(
            END_BEFORE_START.format(first=indicator.valid_from), code="end_before_start"
        )
    if indicator.valid_to is not None and indicator.valid_to <= last_year:
        return Saved(indicator, changed=False)
    family = [
        indicator.pk,
        *Indicator.objects.filter(parent=indicator).values_list("pk", flat=True),
    ]
    # The next year's target on the total may stay (target_year_allowed): the plan decided it.
    later_targets = Target.objects.filter(indicator__in=family, year__gt=last_year).exclude(
        year=last_year + 1, breakdown__code=Breakdown.make_code()
    )
    if (
        IndicatorValue.objects.filter(indicator__in=family, year__gt=last_year).exists()
        or later_targets.exists()
    ):
        raise ValidationError(HAS_DATA_AFTER.format(year=last_year), code="has_data_after")
    occasions = approved_years(indicator.board_id, last_year + 1, indicator.valid_to)
    require_correction_reason(occasions, reason)
    old_end = indicator.valid_to
    for row in Indicator.objects.filter(pk__in=family).valid_between(last_year + 1, 9999):
        if row.valid_from > last_year:  # a sub-indicator that had not begun yet
            IndicatorBreakdown.objects.filter(indicator=row).delete()
            row.delete()
            continue
        row.valid_to = last_year
        save_row(row, user)
    links = IndicatorBreakdown.objects.filter(indicator__in=family)
    links.filter(valid_from__gt=last_year).delete()
    for link in links.valid_between(last_year + 1, 9999):
        link.valid_to = last_year
        save_row(link, user)
    corrections = record_corrections(
        occasions,
        label=_label(indicator),
        changes=f"gäller till och med år: {_shown(old_end)} → {last_year}",
        reason=reason,
        user=user,
    )
    return Saved(indicator, corrections)


# ---------------------------------------------------------------------------------------------
# Breakdowns


def breakdown_row(
    gender: str = "", org_unit: OrganisationUnit | None = None, category: str = ""
) -> Breakdown:
    """The Breakdown row of this cell, created when missing (the code is ours, never typed)."""
    code = Breakdown.make_code(gender, org_unit.code if org_unit else "", category)
    order = GENDER_ORDER.get(gender, OTHER_ORDER) if not (org_unit or category) else OTHER_ORDER
    row, _ = Breakdown.objects.get_or_create(
        code=code,
        defaults={"gender": gender, "org_unit": org_unit, "category": category, "order": order},
    )
    return row


def board_units(board: Board | int, year: int) -> models.QuerySet[OrganisationUnit]:
    """The förvaltningar and enheter that work for the board in the year (the picker's list)."""
    return OrganisationUnit.objects.valid_in(year).filter(boards=board).order_by("kind", "code")


def wanted_breakdowns(
    *,
    by_gender: bool,
    org_units: Sequence[OrganisationUnit],
    categories: Sequence[str],
    gender_within: bool = False,
) -> list[Breakdown]:
    """The rows a choice means: the total first, then Kvinnor and Män, units, categories;
    with `gender_within` (and by gender) each unit and category is followed by its Kvinnor and
    Män ("Kvinnor, UAF").

    Nothing chosen is the total only, which needs no links at all.
    """
    if not (by_gender or org_units or categories):
        return []
    rows = [breakdown_row()]
    if by_gender:
        rows += [breakdown_row("K"), breakdown_row("M")]
    genders = ("K", "M") if by_gender and gender_within else ()
    for unit in org_units:
        rows += [breakdown_row(org_unit=unit)]
        rows += [breakdown_row(gender, org_unit=unit) for gender in genders]
    for category in categories:
        rows += [breakdown_row(category=category)]
        rows += [breakdown_row(gender, category=category) for gender in genders]
    return rows


@transaction.atomic
def set_breakdowns(
    *,
    user: User | None,
    indicator: Indicator,
    year: int,
    by_gender: bool,
    org_units: Iterable[OrganisationUnit] = (),
    categories: Iterable[str] = (),
    gender_within: bool = False,
    reason: str = "",
    source_of_change: ChangeSource = ChangeSource.FORM,
) -> Saved:
    """The breakdowns the indicator is reported by from `year` on.

    "Uppdelat på kön" means Totalt + Kvinnor + Män; each unit (of the board's in that year) and
    category adds its row beside the total. A link the choice drops is closed at year-1 (or
    removed if it began in `year`), refused while values or targets use it from `year` on.
    """
    _require_board(user, indicator.board_id)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if not indicator.is_valid_in(year):
        raise ValidationError(INDICATOR_NOT_VALID.format(year=year), code="not_valid_in_year")
    units = list(org_units)
    allowed_units = set(board_units(indicator.board_id, year).values_list("pk", flat=True))
    for unit in units:
        if unit.pk not in allowed_units:
            raise ValidationError(
                {"org_units": UNIT_NOT_OF_BOARD.format(unit=unit.code, year=year)},
                code="unit_not_of_board",
            )
    cleaned: list[str] = []
    for category in categories:
        category = category.strip()
        if len(category) > 100:
            raise ValidationError({"categories": CATEGORY_TOO_LONG}, code="category_too_long")
        if category and category not in cleaned:
            cleaned.append(category)
    wanted = wanted_breakdowns(
        by_gender=by_gender, org_units=units, categories=cleaned, gender_within=gender_within
    )
    wanted_ids = [row.pk for row in wanted]
    current = {
        link.breakdown_id: link
        for link in IndicatorBreakdown.objects.valid_in(year)
        .filter(indicator=indicator)
        .select_related("breakdown__org_unit")
    }
    if set(current) == set(wanted_ids) and all(
        current[pk].order == order for order, pk in enumerate(wanted_ids)
    ):
        return Saved(indicator, changed=False)
    dropped = [link for pk, link in current.items() if pk not in wanted_ids]
    # The dropped breakdowns that values or targets use from `year` on: two reads for all.
    in_use: set[int] = set()
    if dropped:
        uses = {
            "indicator": indicator,
            "breakdown_id__in": [link.breakdown_id for link in dropped],
            "year__gte": year,
        }
        for model in (IndicatorValue, Target):
            rows = model.objects.filter(**uses).order_by().values_list("breakdown_id", flat=True)
            in_use.update(rows.distinct())
    for link in dropped:
        # Without links the total is reported, so the total's data never blocks the change.
        if link.breakdown_id in in_use and not (link.breakdown.is_total and not wanted_ids):
            raise ValidationError(
                BREAKDOWN_IN_USE.format(breakdown=link.breakdown.label, year=year),
                code="breakdown_in_use",
            )
    occasions = approved_years(indicator.board_id, year, indicator.valid_to)
    require_correction_reason(occasions, reason)
    before = ", ".join(link.breakdown.label for link in current.values()) or "Totalt"
    with change_source(source_of_change):
        for link in dropped:
            if link.valid_from >= year:
                link.delete()
            else:
                link.valid_to = year - 1
                save_row(link, user)
        for order, row in enumerate(wanted):
            link = current.get(row.pk)
            if link is None:
                save_row(
                    IndicatorBreakdown(
                        indicator=indicator,
                        breakdown=row,
                        order=order,
                        valid_from=year,
                        valid_to=indicator.valid_to,
                    ),
                    user,
                )
            elif link.order != order and link.valid_from >= year:
                link.order = order
                save_row(link, user)
        after = ", ".join(row.label for row in wanted) or "Totalt"
        corrections = record_corrections(
            occasions,
            label=_label(indicator),
            changes=f"uppdelningar: {before} → {after}",
            reason=reason,
            user=user,
        )
    return Saved(indicator, corrections)


# ---------------------------------------------------------------------------------------------
# Targets


def _number(text: str, errors: dict[str, str], name: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_swedish_number(text, allow_percent=True)
    except ValidationError as error:
        errors[name] = " ".join(error.messages)
        return None


def _decimals_typed(number: Decimal | None, indicator: Indicator) -> int | None:
    """The decimals to show when the user typed more than the indicator shows, else None."""
    if number is None:
        return None
    exponent = number.as_tuple().exponent
    typed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return typed if typed > indicator.decimals else None


def _target_fields(row: TargetInput, indicator: Indicator) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored fields of a grid cell, or the cell's errors by field name."""
    errors: dict[str, str] = {}
    kind = row.kind
    fields: dict[str, Any] = {
        "kind": kind,
        "operator": "",
        "value": None,
        "decimals": None,
        "trend": "",
        "base_value": None,
        "base_year": None,
        "text": "",
    }
    if kind not in Target.Kind.values:
        errors["kind"] = TARGET_KIND_UNKNOWN
        return fields, errors
    if kind in (Target.Kind.VALUE, Target.Kind.BOUND):
        number = _number(row.value, errors, "value")
        if number is None and "value" not in errors:
            errors["value"] = TARGET_VALUE_REQUIRED
        fields["value"] = number
        fields["decimals"] = _decimals_typed(number, indicator)
        if kind == Target.Kind.BOUND:
            if row.operator not in Target.Operator.values:
                errors["operator"] = TARGET_OPERATOR_REQUIRED
            fields["operator"] = row.operator
    elif kind == Target.Kind.DIRECTION:
        if row.trend not in Target.TrendDirection.values:
            errors["trend"] = TARGET_TREND_REQUIRED
        fields["trend"] = row.trend
        base = _number(row.base_value, errors, "base_value")
        fields["base_value"] = base
        fields["decimals"] = _decimals_typed(base, indicator)
        base_year_text = (row.base_year or "").strip()
        if base_year_text:
            if not base_year_text.isdigit() or not 1900 <= int(base_year_text) <= row.year:
                errors["base_year"] = BASE_YEAR_INVALID
            else:
                fields["base_year"] = int(base_year_text)
                if base is None and "base_value" not in errors:
                    errors["base_value"] = BASE_YEAR_WITHOUT_VALUE
    elif kind == Target.Kind.TEXT:
        text = (row.text or "").strip()
        if not text:
            errors["text"] = TARGET_TEXT_REQUIRED
        elif len(text) > 300:
            errors["text"] = TARGET_TEXT_TOO_LONG
        fields["text"] = text
    return fields, errors


def _same(target: Target, fields: dict[str, Any]) -> bool:
    return all(getattr(target, name) == value for name, value in fields.items())


@transaction.atomic
def save_targets(
    *,
    user: User | None,
    indicator: Indicator,
    year: int,
    rows: Sequence[TargetInput],
    reason: str = "",
    source_of_change: ChangeSource = ChangeSource.FORM,
) -> Saved:
    """The targets of `year` and `year`+1 in one grid: every cell checked, all or nothing.

    A cell without a breakdown is the total. A cell with no kind removes a stored target.
    Refusals are raised together as TargetErrors (per cell and field); a target of an
    approved year changes only with a reason and is recorded as a correction.
    """
    _require_board(user, indicator.board_id)
    indicator = Indicator.objects.select_for_update().select_related("board").get(pk=indicator.pk)
    total = breakdown_row()
    errors: dict[str, dict[str, str]] = {}
    planned: list[tuple[TargetInput, Breakdown, dict[str, Any] | None]] = []
    for row in rows:
        cell: dict[str, str] = {}
        part = row.breakdown or total
        if row.year not in (year, year + 1):
            cell["kind"] = TARGET_YEAR_OUTSIDE.format(year=year, next=year + 1)
        elif row.kind and not target_year_allowed(indicator, row.year):
            cell["kind"] = INDICATOR_NOT_VALID.format(year=row.year)
        elif row.kind and not indicator.reports_breakdown(part, row.year):
            cell["kind"] = TARGET_BREAKDOWN_NOT_REPORTED.format(breakdown=part.label, year=row.year)
        fields = None
        if row.kind and not cell:
            fields, cell = _target_fields(row, indicator)
        if cell:
            errors[row.key] = cell
        planned.append((row, part, fields))
    if errors:
        raise TargetErrors(errors)
    stored = {
        (target.year, target.breakdown_id): target
        for target in Target.objects.filter(
            indicator=indicator, year__in=[year, year + 1]
        ).select_related("breakdown")
    }
    writes: list[tuple[Target, dict[str, Any] | None]] = []
    for row, part, fields in planned:
        target = stored.get((row.year, part.pk))
        if fields is None:
            if target is not None:
                writes.append((target, None))
        elif target is None:
            writes.append((Target(indicator=indicator, year=row.year, breakdown=part), fields))
        elif not _same(target, fields):
            writes.append((target, fields))
    if not writes:
        return Saved(indicator, changed=False)
    years = sorted({target.year for target, _ in writes})
    occasions = [
        occasion
        for occasion in approved_years(indicator.board_id, years[0], years[-1])
        if occasion.year in years
    ]
    require_correction_reason(occasions, reason)
    described: dict[int, list[str]] = {}
    with change_source(source_of_change):
        for target, fields in writes:
            before = format_target(target) if target.pk else "–"
            if fields is None:
                target._history_user = user  # type: ignore[attr-defined]
                target.delete()
                after = "–"
            else:
                for name, value in fields.items():
                    setattr(target, name, value)
                target.indicator = indicator
                try:
                    save_row(target, user)
                except ValidationError as error:
                    raise TargetErrors(
                        {
                            target_key(target.year, target.breakdown): {
                                "kind": " ".join(error.messages)
                            }
                        }
                    ) from error
                after = format_target(target)
            described.setdefault(target.year, []).append(
                f"målvärde {target.breakdown.label}: {before} → {after}"
            )
        corrections = []
        for occasion in occasions:
            corrections += record_corrections(
                [occasion],
                label=_label(indicator),
                changes="\n".join(described.get(occasion.year, [])),
                reason=reason,
                user=user,
            )
    for changed_year in years:
        data_changed(board_id=indicator.board_id, year=changed_year)
    return Saved(indicator, corrections)


@transaction.atomic
def delete_target(*, user: User | None, target: Target, reason: str = "") -> Saved:
    """Remove one target (a correction with a reason when its year is approved)."""
    target = Target.objects.select_related("indicator", "breakdown").get(pk=target.pk)
    indicator = target.indicator
    _require_board(user, indicator.board_id)
    occasion = approved_occasion_for(indicator.board_id, target.year)
    occasions = [occasion] if occasion is not None else []
    require_correction_reason(occasions, reason)
    shown = f"målvärde {target.breakdown.label}: {format_target(target)} → –"
    target._history_user = user  # type: ignore[attr-defined]
    target.delete()
    corrections = record_corrections(
        occasions, label=_label(indicator), changes=shown, reason=reason, user=user
    )
    data_changed(board_id=indicator.board_id, year=target.year)
    return Saved(indicator, corrections)

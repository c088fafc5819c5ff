"""The entry page: a controller types a quarter's outcomes, field by field.

Each breakdown field is its own small form. With JavaScript, `static/js/entry.js` posts it
(fetch) when the controller leaves the field and writes the JSON answer (Sparat, the error, a
warning or a conflict) into the row's message area, never into an input; without JavaScript,
its Spara button posts it and the page comes back. Either way an invalid value is never stored
and the typed text is shown again.

The views by concern: `page` (the page), `save_field` (one field),
`save_all` ("Spara alla"), `statuses` (goal assessments, assignment and activity statuses);
`fields` reads a posted field, `cells` shows one, `common` finds the occasion.
"""

from indicators.views_entry.common import get_occasion_for_user, occasion_url
from indicators.views_entry.page import entry_page
from indicators.views_entry.save_all import save_all_view
from indicators.views_entry.save_field import save_value_view
from indicators.views_entry.statuses import (
    save_activity_view,
    save_assessment_view,
    save_assignment_view,
)

__all__ = [
    "entry_page",
    "get_occasion_for_user",
    "occasion_url",
    "save_activity_view",
    "save_all_view",
    "save_assessment_view",
    "save_assignment_view",
    "save_value_view",
]

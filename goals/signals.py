"""Signals of the goal side that other apps listen to without goals importing them.

`occasion_approved` is sent by goals.services.approve_occasion inside its transaction, after
the occasion is approved and the transition recorded, with `occasion`, `user` and
`transition`. A receiver that raises makes the approval fail and roll back (reports archives
the occasion's report here: an approval without its archived copy must not exist).
"""

from __future__ import annotations

from django.dispatch import Signal

occasion_approved = Signal()

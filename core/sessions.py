"""Database sessions that let a read-only database still show pages.

With SESSION_SAVE_EVERY_REQUEST every page view writes its session (to move the idle expiry
forward). When the database refuses that write, Django turns it into SessionInterrupted, a
400 "kunde inte tolka förfrågan" on a page that only read. Here an unchanged session whose
renewal fails because of an outage (core.database_outage) is left as it is: the page is
shown and the session simply expires at its old time (so does a session of a save that
committed just before the database went away: the save is answered as saved). A session with new content (a login,
a logout, a message) still fails, and the user is told nothing was saved.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, router

from core.database_outage import classify

logger = logging.getLogger("styrkort.database")


class SessionStore(DatabaseSessionStore):
    _load_error: Exception | None = None

    def load(self) -> dict:
        # A session that could not be read because of an outage is not read again in the same
        # request (SessionMiddleware asks once more after the 503): the same error, no query.
        if self._load_error is not None:
            raise self._load_error
        try:
            return super().load()
        except Exception as error:
            if classify(error) is not None:
                self._load_error = error
            raise

    def save(self, must_create: bool = False) -> None:
        try:
            if must_create or self.session_key is None:
                super().save(must_create=must_create)
            else:
                self._renew()
        except UpdateError as error:
            outage = classify(error)
            if self.modified or outage is None:
                raise
            logger.warning("Sessionen kunde inte förnyas (%s); sidan visas ändå", outage)

    def _renew(self) -> None:
        """Write an existing session as one UPDATE, without Django's BEGIN … COMMIT around it.

        Every request renews its session; a single UPDATE in autocommit is atomic by itself, so
        the transaction Django wraps it in (for the INSERT of a new session, whose key may
        collide) only adds two statements to each request, a field save included.
        """
        # SessionBase's private loader (what save() itself uses); django-stubs leaves it out.
        obj = self.create_model_instance(self._get_session())  # type: ignore[attr-defined]
        try:
            obj.save(force_update=True, using=router.db_for_write(self.model, instance=obj))
        except DatabaseError as error:  # no row to update, or the database refused
            raise UpdateError from error


def end_sessions_of(user_id: int) -> int:
    """Delete every open session of the user (an account deactivated, say); returns how many.

    The user id lives only inside the encoded session data, so each unexpired session is
    decoded; a municipality's few thousand sessions are read in one pass.
    """
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    store = SessionStore()
    wanted = str(user_id)
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(store.decode(session.session_data).get(SESSION_KEY)) == wanted
    ]
    if keys:
        Session.objects.filter(session_key__in=keys).delete()
    return len(keys)

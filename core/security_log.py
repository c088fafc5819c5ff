"""JSON lines for the security log (logger "styrkort.security").

One line per event with the fields event, user, time (UTC, ISO 8601), ip and detail, so the
log can be searched and shipped without parsing free text. The formatter is loaded by the
logging configuration before the apps, so it imports nothing from them; the events themselves
are written by `core.security.log_security_event`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# The attribute of a LogRecord that log_security_event fills with the event's fields.
RECORD_ATTRIBUTE = "security_event"


class SecurityJsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, RECORD_ATTRIBUTE, None) or {}
        line = {
            "event": fields.get("event") or record.getMessage(),
            "user": fields.get("user"),
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "ip": fields.get("ip"),
            "detail": fields.get("detail") or {},
        }
        if record.levelno >= logging.WARNING:
            line["level"] = record.levelname.lower()
        return json.dumps(line, ensure_ascii=False, default=str, sort_keys=False)

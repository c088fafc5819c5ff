"""Load test: controllers of the synthetic boards read dashboards and reports and save values.

Run by bench/run.py against gunicorn on 127.0.0.1 only:

    locust -f bench/locustfile.py --headless -u 50 -r 50 -t 60s --host http://127.0.0.1:PORT

BENCH_PLAN is the JSON from `django_side.py prepare-load`: per user a session cookie (the user
was logged in once while preparing, so no password hashing happens during the run), the URLs
of the user's board, and the fields the user alone saves (the fields of a board are split
between its users, so two users never edit the same value and every refusal is a real error).
Every save the server answers as accepted ("Sparat" at the field) is appended to BENCH_SAVES
with the version the answer shows; `django_side.py check-load` proves afterwards that each one
is in the database and in the audit trail.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import string
from decimal import Decimal
from pathlib import Path

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))
SAVES = os.environ["BENCH_SAVES"]
THINK = [float(part) for part in os.environ.get("BENCH_THINK", "3,10").split(",")]
_users = itertools.count()
_accepted: list[dict] = []


def swedish(number: Decimal, decimals: int) -> str:
    return f"{number:.{decimals}f}".replace(".", ",")


class Controller(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.me = PLAN["users"][next(_users) % len(PLAN["users"])]
        token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.client.cookies.set("sessionid", self.me["session"])
        self.client.cookies.set("csrftoken", token)
        self.client.headers["X-CSRFToken"] = token
        self.client.headers["Accept"] = "application/json"  # as the entry page's script asks
        self.fields = [dict(item) for item in self.me["fields"]]
        self.turn = itertools.count()

    @task(4)
    def dashboard(self) -> None:
        with self.client.get(self.me["dashboard"], name="dashboard", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")

    @task(2)
    def report(self) -> None:
        with self.client.get(
            self.me["report"], name="verksamhetsberättelse", catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")

    @task(3)
    def save(self) -> None:
        if not self.fields:
            return
        turn = next(self.turn)
        field = self.fields[turn % len(self.fields)]
        step = Decimal(1).scaleb(-field["decimals"])
        # Each visit to a field types a figure different from the last one: one or two steps
        # away from the generated value (up for tiny values, down otherwise).
        steps = step * (turn // len(self.fields) % 2 + 1)
        base = Decimal(field["value"])
        number = base + steps if base <= 1 else base - steps
        data = {
            "indicator": field["indicator"],
            "breakdown": field["breakdown"],
            "period_type": field["period_type"],
            "period_number": field["period_number"],
            "version": field["version"],
            "value": swedish(number, field["decimals"]),
            "missing_reason": "",
            "comment": "",
        }
        with self.client.post(self.me["save"], data, name="spara värde", catch_response=True) as r:
            try:
                answer = r.json()
            except ValueError:
                answer = {}
            if r.status_code != 200 or answer.get("state") not in ("saved", "warning"):
                reason = (
                    "konflikt" if answer.get("state") == "conflict" else f"status {r.status_code}"
                )
                r.failure(f"inte sparat: {reason}")
                return
            field["version"] = int(answer["version"])
            _accepted.append(
                {
                    "user": self.me["username"],
                    "value_id": field["value_id"],
                    "version": field["version"],
                    "value": str(number),
                }
            )


@events.test_stop.add_listener
def write_accepted(environment, **kwargs) -> None:
    with open(SAVES, "w", encoding="utf-8") as handle:
        for save in _accepted:
            handle.write(json.dumps(save) + "\n")

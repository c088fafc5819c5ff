"""A real SMTP server on loopback for the mail tests (aiosmtpd), and the messages it received.

`smtp_server` starts aiosmtpd on a free port, points Django's SMTP backend at it and yields
a handle whose `messages` are the delivered mails, parsed. `stop()` takes the server down
(connections are refused) and `start()` brings it back on the same port.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from tests.conftest import BROWSER_REQUIRED


@dataclass
class Delivered:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        # The header is folded after "Subject:" when encoded; unfolded it starts with a space.
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return part.get_content().replace("\r\n", "\n")

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return part.get_content()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Delivered] = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(Delivered(recipients=list(envelope.rcpt_tos), message=message))
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[Delivered]:
        return [mail for mail in self.messages if address in mail.recipients]


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(settings):
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        if BROWSER_REQUIRED:
            pytest.fail("aiosmtpd krävs för e-posttesterna men är inte installerat")
        pytest.skip("aiosmtpd saknas: `uv sync --group test` installerar SMTP-servern för testerna")
    server = SmtpServer(_free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.STYRKORT_SITE_URL = "https://styrkort.example.se"
    try:
        yield server
    finally:
        server.stop()

"""A real SMTP server for the tests (aiosmtpd, in a thread on a free port): what it received, parsed;
it can refuse an address for good (550) or the next messages for now (451)."""

import contextlib
import email
import email.policy
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.processes import free_port


@dataclass
class Received:
    sender: str
    to: list[str]
    subject: str
    body: str


@dataclass
class Mailbox:
    messages: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # addresses refused for good (550)
    busy: int = 0  # the next this many messages are refused for now (451)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.busy > 0:
                self.busy -= 1
                return "451 4.3.0 Too busy, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(
                Received(
                    sender=envelope.mail_from,
                    to=list(envelope.rcpt_tos),
                    subject=str(message["Subject"]),
                    body=message.get_body().get_content(),
                )
            )
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if address in m.to]


@contextlib.contextmanager
def smtp_server():
    """(mailbox, port) of a running SMTP server; stopped on exit."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()

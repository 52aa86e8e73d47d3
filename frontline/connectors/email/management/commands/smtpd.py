import os
import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from django.core.management.base import BaseCommand, CommandParser

from frontline.connectors.email.smtp import InboundHandler

MAX_MESSAGE_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "Receive mail for the mailboxes over SMTP (MX or relay delivery); 250 means it is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("FRONTLINE_SMTPD_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("FRONTLINE_SMTPD_PORT", "2525")))

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        controller = Controller(
            InboundHandler(), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES, decode_data=False
        )
        controller.start()
        self.stdout.write(f"Receiving mail on {host}:{port} (Ctrl-C stops)")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()

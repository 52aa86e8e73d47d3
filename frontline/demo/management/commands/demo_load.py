"""`manage.py demo_load`: load the demo company (Aurora Appliances) and print the logins."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from frontline.demo.company import load_demo, login_summary


class Command(BaseCommand):
    help = (
        "Load the demo company, Aurora Appliances: 3 teams, 15 staff, about 300 customers and 90 days "
        "of tickets, and a page to try the chat widget on (/chat/demo/). Does nothing if the demo is already "
        "loaded."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply the number of customers (300) and tickets (2,000), e.g. 0.1 for a quick load.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale: float = options["scale"]
        if scale <= 0:
            raise CommandError("--scale must be greater than 0")
        verbose = options["verbosity"] >= 1
        load_demo(scale=scale, stdout=self.stdout if verbose else None)
        if verbose:
            host = os.environ.get("FRONTLINE_HOST", "127.0.0.1")
            port = os.environ.get("FRONTLINE_PORT", "8000")
            self.stdout.write(login_summary(f"http://{host}:{port}"))

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontline.tickets import search
from frontline.tickets.tasks import search_rebuild_task


class Command(BaseCommand):
    help = "Rebuild the full-text search index of tickets and messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--background", action="store_true", help="queue it for the worker instead")

    def handle(self, *args: Any, background: bool = False, **options: Any) -> None:
        if background:
            search_rebuild_task()
            self.stdout.write("Queued: the worker will rebuild the search index.")
            return
        rows = search.rebuild()
        self.stdout.write(f"Rebuilt the search index: {rows} entries.")

"""Background tasks of the tickets app: thin, they call services."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from frontline.tickets import search


@db_task()
def search_rebuild_task() -> int:
    """Rebuild the full-text index from tickets and messages (after a restore or an import)."""
    return search.rebuild()

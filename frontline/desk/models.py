"""The desk's own table: an agent's saved inbox views."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """An inbox with its filters (search words) and sort, saved under a name by one staff member."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    inbox = models.CharField(max_length=20)
    sort = models.CharField(max_length=20, default="-updated")
    query = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_user_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

"""Password forms of the admin, saving through `user_password_change` (tokens revoked, sessions end)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.admin.forms import AdminPasswordChangeForm as AdminOwnPasswordChangeForm
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.http import HttpRequest

from frontline.accounts.models import User
from frontline.accounts.services import user_password_change

#: Who is changing a password in the admin (Django builds the form without the request).
_acting: ContextVar[User | None] = ContextVar("frontline_admin_password_actor", default=None)


@contextmanager
def acting_as(request: HttpRequest) -> Iterator[None]:
    token = _acting.set(request.user if isinstance(request.user, User) else None)
    try:
        yield
    finally:
        _acting.reset(token)


class SetPasswordThroughService(AdminPasswordChangeForm):  # type: ignore[type-arg]  # not generic at run time
    """An admin sets someone's password: through the service, so their tokens are revoked."""

    def save(self, commit: bool = True) -> Any:
        # Django's form may also turn password sign-in off ("set_usable_password" false).
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        return user_password_change(actor=_acting.get(), user=self.user, password=password)


class ChangeOwnPasswordThroughService(AdminOwnPasswordChangeForm):
    """An admin changes their own password (the old one was checked by the form): through the service."""

    def save(self, commit: bool = True) -> Any:
        return user_password_change(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )

"""The Django admin, reached only through the desk's sign-in (password, then the code if the user has one).

Django's own admin sign-in form asks for the password only; here it sends people to /desk/login/ and
back. Every admin page also asks whether the session passed the second factor, so a session opened
any other way (the portal's password form, for a user who is both staff and customer) is not enough.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import PasswordChangeView, redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from frontline.accounts.forms import ChangeOwnPasswordThroughService
from frontline.accounts.selectors import request_passed_second_factor


class FrontlineAdminSite(admin.AdminSite):
    site_header = "Frontline administration"
    site_title = "Frontline"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and request_passed_second_factor(request)

    def password_change(  # type: ignore[override]  # Django's own answers a redirect too, on success
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        """Django's page, saving through the service: the user's tokens are revoked, other sessions end."""
        view = PasswordChangeView.as_view(
            form_class=ChangeOwnPasswordThroughService,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )
        request.current_app = self.name
        return view(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Never a password form of its own: the desk's sign-in, then back to the admin page asked for."""
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or index
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = index
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        if request.user.is_authenticated and request_passed_second_factor(request):
            # Signed in properly, but not an admin: another sign-in would not help.
            return render(request, "desk/refused.html", status=403)
        return redirect_to_login(next_url, reverse("desk:login"))

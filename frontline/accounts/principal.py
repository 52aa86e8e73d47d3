"""Who is asking: the user with what scoping needs, resolved once per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from frontline.accounts.models import Role, User
from frontline.core.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    user: User
    role: str | None  # a Role value for staff, None for a customer
    team_ids: frozenset[int] = field(default_factory=frozenset)
    customer_id: int | None = None
    #: The customer's organization, when it lets its members see each other's tickets.
    shared_organization_id: int | None = None
    can_write: bool = True

    @property
    def is_staff_member(self) -> bool:
        return self.role is not None

    @property
    def is_customer(self) -> bool:
        return self.role is None and self.customer_id is not None

    @property
    def sees_all_tickets(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_supervisor_or_admin(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


def principal_of(request: object) -> Principal:
    """The Principal the API's authentication attached to the request."""
    auth = getattr(request, "auth", None)
    if not isinstance(auth, Principal):
        raise TypeError("request has no authenticated principal")
    return auth


def require_staff(principal: Principal, message: str = "only staff may do this") -> None:
    """Refuse (403) a caller who is not staff: a customer, or a user without a role."""
    if not principal.is_staff_member:
        raise Forbidden(message)

"""Labels stored in the database or in model choices, marked so the catalogs translate them where shown.

Templates translate them with `{% translate value %}`: the default complaint reasons (migration 0002),
severities and statuses of complaints, request statuses and fulfilment states.
"""

from django.utils.translation import gettext_noop

LABELS = (
    # Complaint reasons (frontline/remedies/migrations/0002_complaint_reasons.py)
    gettext_noop("Product defect"),
    gettext_noop("Delivery"),
    gettext_noop("Billing"),
    gettext_noop("Staff conduct"),
    gettext_noop("Installation or service visit"),
    gettext_noop("Waiting time"),
    gettext_noop("Other"),
    # Complaint.Severity and Complaint.Status
    gettext_noop("Low"),
    gettext_noop("Medium"),
    gettext_noop("High"),
    gettext_noop("Critical"),
    gettext_noop("Open"),
    gettext_noop("Resolved"),
    # RemedyRequest.Status
    gettext_noop("Issued"),
    gettext_noop("Waiting for approval"),
    gettext_noop("Approved and issued"),
    gettext_noop("Rejected"),
    # RemedyEntry.Fulfilment
    gettext_noop("Pending"),
    gettext_noop("Fulfilled"),
    gettext_noop("Failed"),
)

from __future__ import annotations

from ninja import NinjaAPI

from frontline.accounts.api import router as accounts_router
from frontline.api import errors
from frontline.api.auth import SessionPrincipalAuth, TokenAuth
from frontline.api.events import router as events_router
from frontline.api.renderers import ORJSONRenderer
from frontline.connectors.email.api import router as email_router
from frontline.connectors.voice.api import router as voice_router
from frontline.customers.api import router as customers_router
from frontline.escalations.api import router as escalations_router
from frontline.feedback.api import router as feedback_router
from frontline.knowledge.api import router as knowledge_router
from frontline.notifications.api import router as notifications_router
from frontline.plans.api import router as plans_router
from frontline.remedies.api import router as remedies_router
from frontline.routing.api import router as routing_router
from frontline.rules.api import router as rules_router
from frontline.scripts.api import router as scripts_router
from frontline.sla.api import router as sla_router
from frontline.tickets.api import router as tickets_router
from frontline.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="Frontline API",
    version="1",
    description=(
        "The Frontline REST API. Authenticate with a personal token (`Authorization: Bearer fl_…`, "
        "created at POST /api/v1/tokens) or a browser session. Errors are JSON: "
        '`{"error": {"code": "…", "message": "…", "field": "…"}}`.'
    ),
    auth=[TokenAuth(), SessionPrincipalAuth()],
    renderer=ORJSONRenderer(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", tickets_router)
api.add_router("", customers_router)
api.add_router("", accounts_router)
api.add_router("", plans_router)
api.add_router("", events_router)
api.add_router("", sla_router)
api.add_router("", rules_router)
api.add_router("", notifications_router)
api.add_router("", escalations_router)
api.add_router("", routing_router)
api.add_router("", webhooks_router)
api.add_router("", voice_router)
api.add_router("", email_router)
api.add_router("", scripts_router)
api.add_router("", knowledge_router)
api.add_router("", remedies_router)
api.add_router("", feedback_router)

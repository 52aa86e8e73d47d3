"""Frontline's settings with the changes named in BENCH_VARIANT, to measure a suggestion first.

Not how Frontline runs: `run.py --variant NAME[,NAME]` starts the server with these settings so
that a proposed change can be measured before anyone makes it in frontline/.

    persistent-connections  CONN_MAX_AGE=None: keep the database connection between requests
    close-connections       CONN_MAX_AGE=0: close it after every request (PostgreSQL)
    flock-writes            SQLite writers queue on a file lock (variant_sqlite/base.py)
    no-whitenoise           WhiteNoise out of MIDDLEWARE (it is sync-only, see bench/README.md)
    no-realtime             no channel layer, so committed events are not published
    wsgi-bridge             (run.py serves frontline through variant_asgi.py instead)
"""

from __future__ import annotations

import os

from frontline.settings import *  # noqa: F403
from frontline.settings import DATABASES, MIDDLEWARE

KNOWN = {
    "persistent-connections",
    "close-connections",
    "flock-writes",
    "no-whitenoise",
    "no-realtime",
    "wsgi-bridge",
}
VARIANTS = {name for name in os.environ.get("BENCH_VARIANT", "").split(",") if name}
if VARIANTS - KNOWN:
    raise RuntimeError(f"unknown variants: {', '.join(sorted(VARIANTS - KNOWN))}")

if "persistent-connections" in VARIANTS:
    DATABASES["default"]["CONN_MAX_AGE"] = None
if "close-connections" in VARIANTS:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if "flock-writes" in VARIANTS and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["ENGINE"] = "variant_sqlite"  # bench/variant_sqlite/base.py
if "no-whitenoise" in VARIANTS:
    MIDDLEWARE = [name for name in MIDDLEWARE if not name.startswith("whitenoise.")]
if "no-realtime" in VARIANTS:
    CHANNEL_LAYERS: dict[str, object] = {}

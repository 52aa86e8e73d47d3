"""What a plan version says about surveys (its `settings["feedback"]`), with defaults. Pure.

"feedback": {
  "csat": {"enabled": true, "scale": 5, "low_score": 2},
  "nps": {"interval_days": 90, "low_score": 6},
  "token_days": 14
}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FeedbackSettings:
    csat_enabled: bool = False
    csat_scale: int = 5
    csat_low_score: int = 2
    nps_interval_days: int = 90
    nps_low_score: int = 6
    token_days: int = 14


def _int(value: Any, default: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return default
    return int(value)


def feedback_settings(settings: Mapping[str, Any] | None) -> FeedbackSettings:
    """Read the plan's feedback settings; missing or malformed values take the defaults."""
    section = (settings or {}).get("feedback")
    if not isinstance(section, Mapping):
        return FeedbackSettings()
    csat = section.get("csat") if isinstance(section.get("csat"), Mapping) else {}
    nps = section.get("nps") if isinstance(section.get("nps"), Mapping) else {}
    assert isinstance(csat, Mapping)
    assert isinstance(nps, Mapping)
    scale = _int(csat.get("scale"), 5, 2, 10)
    return FeedbackSettings(
        csat_enabled=bool(csat.get("enabled", False)),
        csat_scale=scale,
        csat_low_score=_int(csat.get("low_score"), min(2, scale), 1, scale),
        nps_interval_days=_int(nps.get("interval_days"), 90, 0, 3650),
        nps_low_score=_int(nps.get("low_score"), 6, 0, 10),
        token_days=_int(section.get("token_days"), 14, 1, 365),
    )

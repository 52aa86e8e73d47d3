"""Every translation catalog is complete (Tagalog and Simplified Chinese) and compiled."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent / "frontline"
CATALOGS = sorted(
    path for path in ROOT.glob("**/locale/*/LC_MESSAGES/django.po") if path.parts[-3] in {"fil", "zh_Hans"}
)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_ui_languages_have_catalogs_in_every_app_with_desk_or_customer_pages():
    apps = {path.relative_to(ROOT).parts[0] for path in CATALOGS}
    assert {"desk", "portal", "knowledge", "remedies", "feedback", "connectors"} <= apps


@pytest.mark.parametrize("path", CATALOGS, ids=_name)
def test_a_catalog_has_no_untranslated_or_fuzzy_entry(path):
    catalog = polib.pofile(str(path))
    missing = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert not missing, f"untranslated in {_name(path)}: {missing[:10]}"
    assert not fuzzy, f"fuzzy in {_name(path)}: {fuzzy[:10]}"


@pytest.mark.parametrize("path", CATALOGS, ids=_name)
def test_the_compiled_catalog_says_what_the_source_says(path):
    """A .po edited without compilemessages would leave the UI on the old text."""
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{_name(mo)} is missing: run compilemessages"
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in polib.mofile(str(mo))
    }
    for entry in polib.pofile(str(path)).translated_entries():
        expected = entry.msgstr or {int(k): v for k, v in entry.msgstr_plural.items()}
        got = compiled.get((entry.msgctxt, entry.msgid))
        if isinstance(got, dict):
            got = {int(k): v for k, v in got.items()}
        assert got == expected, f"{_name(mo)} is stale for {entry.msgid!r}: run compilemessages"

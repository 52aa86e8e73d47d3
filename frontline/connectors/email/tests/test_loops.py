"""classify: the automatic-mail signals of a message, and whether Frontline may answer it automatically."""

from __future__ import annotations

import dataclasses

import pytest

from frontline.connectors.email.loops import AUTO_REPLY_HEADERS, Classification, classify
from frontline.connectors.email.parsing import Address, parse_email

OWN_ADDRESSES = {"support@aurora.ph", "Warranty@Aurora.ph"}
OWN_DOMAIN = "mail.aurora.ph"
FLAGS = (
    "is_auto_submitted",
    "is_bulk",
    "is_list",
    "is_autoreply",
    "is_auto_response_suppressed",
    "null_return_path",
    "is_bounce",
    "is_from_us",
)


def parsed_with(headers: str = "", *, subject: str = "Ref not cooling"):
    raw = f"From: Maria Santos <maria@example.ph>\nSubject: {subject}\nMessage-ID: <m1@example.ph>\n{headers}"
    return parse_email(raw.strip().replace("\n", "\r\n").encode() + b"\r\n\r\nHello.\r\n")


def flags(kind: Classification) -> set[str]:
    return {name for name in FLAGS if getattr(kind, name)}


@pytest.mark.parametrize(
    ("headers", "subject", "expected"),
    [
        ("", "Ref not cooling", set()),
        ("Auto-Submitted: no", "Ref not cooling", set()),
        ("Auto-Submitted: No (a person wrote this)", "Ref not cooling", set()),
        ("Auto-Submitted: auto-replied", "Ref not cooling", {"is_auto_submitted", "is_autoreply"}),
        ("Auto-Submitted: auto-generated", "Ref not cooling", {"is_auto_submitted"}),
        ("Auto-Submitted: Auto-Generated; owner-email=x@example.com", "Hi", {"is_auto_submitted"}),
        ("Precedence: bulk", "Deals", {"is_bulk"}),
        ("Precedence: junk", "Deals", {"is_bulk"}),
        ("Precedence: List", "Deals", {"is_bulk"}),
        ("Precedence: first-class", "Deals", set()),
        ("Precedence: auto_reply", "Away", {"is_autoreply"}),
        ("List-Id: Deals <deals.lists.example.com>", "Deals", {"is_list"}),
        ("List-Id: <deals.lists.example.com>\nPrecedence: list", "Deals", {"is_list", "is_bulk"}),
        ("X-Autoreply: yes", "Re: your ticket", {"is_autoreply"}),
        ("X-Autorespond: Thank you", "Re: your ticket", {"is_autoreply"}),
        ("Return-Path: <>", "Hello", {"null_return_path"}),
        ("Return-Path: < >", "Hello", {"null_return_path"}),
        ("Return-Path: <maria@example.ph>", "Hello", set()),
        ("X-Auto-Response-Suppress: All", "Meeting notes", {"is_auto_response_suppressed"}),
        ("X-Auto-Response-Suppress: DR, OOF", "Meeting notes", {"is_auto_response_suppressed"}),
        ("X-Auto-Response-Suppress: DR, RN", "Meeting notes", set()),
        # Out-of-office subject words count only beside another sign of automatic mail.
        ("", "Out of Office: back on Monday", set()),
        ("", "Are you open out of office hours?", set()),
        ("", "Automatic reply: Ref not cooling", set()),
        ("Return-Path: <>", "Out of Office: back on Monday", {"null_return_path", "is_autoreply"}),
        (
            "Auto-Submitted: auto-generated\nX-Auto-Response-Suppress: All",
            "Automatic reply: Ref not cooling",
            {"is_auto_submitted", "is_auto_response_suppressed", "is_autoreply"},
        ),
        (
            "X-Auto-Response-Suppress: OOF",
            "自动回复: 维修单",
            {"is_auto_response_suppressed", "is_autoreply"},
        ),
        ("Precedence: bulk", "Respuesta automática: pedido", {"is_bulk", "is_autoreply"}),
    ],
)
def test_signals_of_automatic_mail(headers, subject, expected):
    parsed = parsed_with(headers, subject=subject)

    kind = classify(parsed, own_addresses=OWN_ADDRESSES, own_message_id_domain=OWN_DOMAIN)

    assert flags(kind) == expected
    assert kind.suppress_auto_reply == bool(expected)
    assert bool(kind.reason) == bool(expected)


@pytest.mark.parametrize(
    ("sender", "message_id", "own_domain", "expected"),
    [
        ("support@aurora.ph", "<x@example.ph>", OWN_DOMAIN, True),
        ("SUPPORT@Aurora.PH", "<x@example.ph>", OWN_DOMAIN, True),
        ("warranty@aurora.ph", "<x@example.ph>", OWN_DOMAIN, True),
        ("maria@example.ph", "<ticket-12@mail.aurora.ph>", OWN_DOMAIN, True),
        ("maria@example.ph", "<ticket-12@MAIL.AURORA.PH>", OWN_DOMAIN, True),
        ("maria@example.ph", "<ticket-12@aurora.ph>", OWN_DOMAIN, False),
        ("maria@example.ph", "<ticket-12@mail.aurora.ph>", None, False),
        ("maria@example.ph", None, OWN_DOMAIN, False),
        ("support@aurora.ph.evil.example", "<x@example.ph>", OWN_DOMAIN, False),
    ],
)
def test_mail_from_us_is_recognised(sender, message_id, own_domain, expected):
    parsed = dataclasses.replace(parsed_with(), from_=Address(name="", email=sender), message_id=message_id)

    kind = classify(parsed, own_addresses=OWN_ADDRESSES, own_message_id_domain=own_domain)

    assert kind.is_from_us is expected
    assert kind.suppress_auto_reply is expected


def test_a_message_without_sender_is_not_from_us():
    parsed = dataclasses.replace(parsed_with(), from_=None)

    kind = classify(parsed, own_addresses=OWN_ADDRESSES, own_message_id_domain=OWN_DOMAIN)

    assert flags(kind) == set()


def test_bounces_are_automatic():
    parsed = dataclasses.replace(parsed_with(), is_bounce=True)

    kind = classify(parsed, own_addresses=OWN_ADDRESSES, own_message_id_domain=OWN_DOMAIN)

    assert flags(kind) == {"is_bounce"}
    assert kind.reason == "delivery failure report"


def test_the_reason_lists_every_signal():
    parsed = parsed_with("Auto-Submitted: auto-replied\nReturn-Path: <>\nList-Id: <l.example.com>")

    kind = classify(parsed, own_addresses=OWN_ADDRESSES, own_message_id_domain=OWN_DOMAIN)

    assert kind.reason == "Auto-Submitted: auto-replied; List-Id present; automatic reply; null Return-Path"


def test_our_own_automatic_mail_is_recognised_as_automatic():
    headers = "\n".join(f"{name}: {value}" for name, value in AUTO_REPLY_HEADERS.items())

    kind = classify(parsed_with(headers), own_addresses=set(), own_message_id_domain=None)

    assert kind.is_auto_submitted
    assert kind.is_autoreply
    assert kind.is_auto_response_suppressed


def test_the_auto_reply_headers_cannot_be_changed_by_accident():
    assert dict(AUTO_REPLY_HEADERS) == {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    with pytest.raises(TypeError):
        AUTO_REPLY_HEADERS["Auto-Submitted"] = "no"  # type: ignore[index]

"""format=flowed text (RFC 3676): soft line breaks joined, quotes and signatures kept apart."""

from __future__ import annotations

import pytest

from frontline.connectors.email.parsing import parse_email, unflow


@pytest.mark.parametrize(
    ("flowed", "delsp", "text"),
    [
        ("My ref stopped \r\ncooling yesterday.\r\nPlease call.", False,
         "My ref stopped cooling yesterday.\nPlease call."),
        # delsp=yes: the space before the break was added by the sender, for a long word.
        ("Supercalifragi \r\nlistic", True, "Supercalifragilistic"),
        ("Supercalifragi \r\nlistic", False, "Supercalifragi listic"),
        # Quoted paragraphs flow within their depth; a change of depth ends a paragraph.
        ("> It leaks \r\n> from below.\r\n>> Older \r\n>> text\r\nMine", False,
         "> It leaks from below.\n>> Older text\nMine"),
        ("> flowed but \r\nnot quoted", False, "> flowed but \nnot quoted"),
        # Space-stuffed lines lose the stuffing; the signature separator is never flowed.
        (" >not a quote\r\n From here", False, ">not a quote\nFrom here"),
        ("Thanks, \r\n-- \r\nMaria", False, "Thanks, \n-- \nMaria"),
        ("Thanks,\r\n-- \r\nMaria", False, "Thanks,\n-- \nMaria"),
    ],
)  # fmt: skip
def test_flowed_lines_are_joined(flowed, delsp, text):
    assert unflow(flowed, delsp=delsp) == text


def test_fixed_text_is_unchanged():
    assert unflow("one\r\ntwo\r\n\r\nthree") == "one\ntwo\n\nthree"


def test_a_flowed_mail_is_unwrapped_and_a_fixed_one_is_not():
    def raw(content_type: str) -> bytes:
        return (
            "From: maria@example.ph\r\nTo: support@aurora.test\r\nSubject: Ref\r\n"
            f"Message-ID: <f@example.ph>\r\nContent-Type: {content_type}\r\n\r\n"
            "Hindi na lumalamig \r\nang ref ko.\r\n"
        ).encode()

    flowed = parse_email(raw('text/plain; charset="utf-8"; format=flowed; delsp=no'))
    assert flowed.text.strip() == "Hindi na lumalamig ang ref ko."
    fixed = parse_email(raw('text/plain; charset="utf-8"'))
    assert fixed.text.strip() == "Hindi na lumalamig \nang ref ko."

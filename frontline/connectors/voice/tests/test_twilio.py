"""The pure Twilio module: the signature as Twilio computes it, parameters, and escaped TwiML."""

from xml.etree import ElementTree

import pytest

from frontline.connectors.voice import twilio

# The example of Twilio's security documentation and of its helper libraries' tests.
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
]


def test_signature_matches_twilios_published_example():
    assert twilio.compute_signature(DOC_URL, DOC_PARAMS, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert twilio.signature_valid(DOC_URL, reversed(DOC_PARAMS), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345")


@pytest.mark.parametrize(
    ("url", "params", "signature", "token"),
    [
        (DOC_URL, DOC_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "54321"),  # another account's token
        (DOC_URL, [*DOC_PARAMS[:2], ("Digits", "9")], "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345"),  # changed
        ("https://mycompany.com/myapp.php?foo=1", DOC_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345"),
        (DOC_URL, DOC_PARAMS, "", "12345"),
        (DOC_URL, DOC_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", ""),
    ],
)
def test_a_changed_request_or_missing_secret_does_not_pass(url, params, signature, token):
    assert not twilio.signature_valid(url, params, signature, token)


def test_the_default_port_may_be_present_or_not():
    signed_with_port = twilio.compute_signature(
        "https://mycompany.com:443/myapp.php?foo=1&bar=2", DOC_PARAMS, "12345"
    )
    assert twilio.signature_valid(DOC_URL, DOC_PARAMS, signed_with_port, "12345")
    signed_without = twilio.compute_signature(DOC_URL, DOC_PARAMS, "12345")
    assert twilio.signature_valid(
        "https://mycompany.com:443/myapp.php?foo=1&bar=2", DOC_PARAMS, signed_without, "12345"
    )


def test_parse_call_reads_twilios_names_and_refuses_a_request_without_callsid():
    parsed = twilio.parse_call(
        {
            "CallSid": "CA1",
            "From": "+639171234567",
            "To": "+6328123456",
            "CallStatus": "ringing",
            "Timestamp": "Mon, 23 Nov 2026 01:00:30 +0000",
            "RecordingDuration": "17",
        }
    )
    assert (parsed.call_sid, parsed.from_number, parsed.call_status, parsed.recording_duration) == (
        "CA1",
        "+639171234567",
        "ringing",
        17,
    )
    assert parsed.timestamp.isoformat() == "2026-11-23T01:00:30+00:00"
    with pytest.raises(twilio.TwilioPayloadError):
        twilio.parse_call({"From": "+639171234567"})


def test_twiml_escapes_every_text_and_attribute():
    document = (
        twilio.TwiML()
        .say('Hello & welcome to <Aurora> "appliances"', language="en-US")
        .enqueue("q", wait_url="https://x.test/wait?a=1&b=2", action="https://x.test/result")
    )
    text = str(document)
    assert "Hello &amp; welcome to &lt;Aurora&gt;" in text
    assert 'waitUrl="https://x.test/wait?a=1&amp;b=2"' in text
    root = ElementTree.fromstring(text.split("?>", 1)[1])  # noqa: S314  # our own output
    assert [child.tag for child in root] == ["Say", "Enqueue"]
    assert root[0].text == 'Hello & welcome to <Aurora> "appliances"'

from hypothesis import given
from hypothesis import strategies as st

from frontline.connectors.email import tokens

KEY = b"k" * 32


def test_subject_token_is_added_once_and_found_again():
    subject = tokens.subject_with_token("Fridge\r\nnot cooling", 42)
    assert subject == "Re: Fridge not cooling [#42]"
    assert tokens.subject_with_token(subject, 42) == subject
    assert tokens.find_subject_token("Re: Re: Fridge [#42] again") == 42
    assert tokens.find_subject_token("Order #42") is None


@given(st.integers(min_value=1, max_value=10**12 - 1), st.integers(min_value=1, max_value=10**12 - 1))
def test_signed_reply_addresses_and_message_ids_round_trip(ticket_id, user_id):
    address = tokens.agent_reply_address("support@aurora.test", ticket_id, user_id, KEY)
    assert tokens.read_agent_token([address], KEY) == (ticket_id, user_id)
    message_id = tokens.agent_message_id(ticket_id, user_id, "aurora.test", KEY)
    assert tokens.read_agent_token(["<other@x>", message_id], KEY) == (ticket_id, user_id)


def test_a_token_signed_with_another_key_or_altered_is_refused():
    address = tokens.agent_reply_address("support@aurora.test", 7, 3, KEY)
    assert tokens.read_agent_token([address], b"other key") is None
    assert tokens.read_agent_token([address.replace("+r7.", "+r8.")], KEY) is None
    assert tokens.read_agent_token(["support@aurora.test", "", "<x@y>"], KEY) is None

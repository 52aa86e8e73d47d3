"""The silent-call protocol as a timed state machine, driven by a fake clock."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.scripts.silent_call import Call, Instruction, Line, Protocol, ProtocolError, Step, timeline

PROMPT = "Hello! What can I do for you?"
AGAIN = "Hello, what can I do for you?"
CLOSING = "Sorry, there is no sound on your phone. Please call again. Goodbye!"
PICK_UP = "Sorry, your voice is too low. Please pick up the handset to speak."
LOUDER = "I'm sorry! Please speak a little louder, okay?"
OTHER_PHONE = (
    "Sorry! The sound from your phone is too faint. Please call again from a different phone. Goodbye!"
)
NOISE = "Sorry, there is too much noise on your line to hear you. Please call again. Thank you, goodbye!"
SPEAK_ENGLISH = "I'm sorry, could you please speak English? Thank you!"
SOMEONE = "Sorry, could you please ask someone who speaks English to come to the phone? Thank you!"
TRANSFER = "Please hold while I transfer you to a colleague who speaks your language. Thank you!"

PROTOCOL = Protocol.of(
    {
        "silent": [PROMPT, AGAIN, CLOSING],
        "low_volume": [PICK_UP, LOUDER, OTHER_PHONE],
        "noise": [NOISE],
        "foreign_language": [(SPEAK_ENGLISH, None), (SOMEONE, None)],
    },
    route_line=TRANSFER,
)


class FakeClock:
    """Seconds since the call was answered; only the test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def _say(step, line, started_at, next_at, branch="silent"):
    return Instruction("say", branch, step, line, started_at, next_at)


def test_the_silent_call_timeline_second_by_second():
    clock, call = FakeClock(), Call(PROTOCOL)
    seen = {}
    while clock.now <= 16:
        instruction = call.at(clock.now)
        seen[clock.now] = (instruction.action, instruction.line, instruction.next_at)
        clock.advance(1)
    assert seen == {
        0.0: ("say", PROMPT, 5.0),
        1.0: ("say", PROMPT, 5.0),
        2.0: ("say", PROMPT, 5.0),
        3.0: ("say", PROMPT, 5.0),
        4.0: ("say", PROMPT, 5.0),
        5.0: ("say", AGAIN, 10.0),
        6.0: ("say", AGAIN, 10.0),
        7.0: ("say", AGAIN, 10.0),
        8.0: ("say", AGAIN, 10.0),
        9.0: ("say", AGAIN, 10.0),
        10.0: ("say", CLOSING, 15.0),
        11.0: ("say", CLOSING, 15.0),
        12.0: ("say", CLOSING, 15.0),
        13.0: ("say", CLOSING, 15.0),
        14.0: ("say", CLOSING, 15.0),
        15.0: ("end", "", None),
        16.0: ("end", "", None),
    }


def test_the_steps_change_exactly_on_the_fifth_second():
    call = Call(PROTOCOL)
    assert call.at(4.999).line == PROMPT
    assert call.at(5.0) == _say(2, AGAIN, 5.0, 10.0)
    assert call.at(9.999).step == 2
    assert call.at(10.0) == _say(3, CLOSING, 10.0, 15.0)
    assert call.at(14.999).action == "say"
    assert call.at(15.0) == Instruction("end", "silent", 4, "", 15.0, None)
    assert PROTOCOL.total_seconds() == 15.0


def test_the_whole_timeline_and_what_a_coarse_poller_must_not_miss():
    assert timeline(PROTOCOL) == [
        _say(1, PROMPT, 0.0, 5.0),
        _say(2, AGAIN, 5.0, 10.0),
        _say(3, CLOSING, 10.0, 15.0),
        Instruction("end", "silent", 4, "", 15.0, None),
    ]
    # polled at 0 and then only at 12 s: the second prompt and the closing line both fell due
    assert Call(PROTOCOL).due_between(0.0, 12.0) == [_say(2, AGAIN, 5.0, 10.0), _say(3, CLOSING, 10.0, 15.0)]


def test_the_customer_speaking_resolves_the_protocol():
    clock, call = FakeClock(), Call(PROTOCOL)
    clock.advance(7)
    call = call.on("customer_spoke", clock.now)
    assert call.at(6.0).line == AGAIN  # before the event the protocol ran as usual
    assert call.at(clock.now) == Instruction("resolved", "silent", 0, "", 7.0, None)
    assert call.at(clock.advance(60)).action == "resolved"
    assert call.due_between(7.0, 60.0) == []


def test_low_volume_asks_to_pick_up_then_to_speak_louder_then_to_call_again_and_hangs_up_5_seconds_later():
    clock, call = FakeClock(), Call(PROTOCOL)
    clock.advance(3)
    call = call.on("low_volume", clock.now)
    assert call.at(3.0) == _say(1, PICK_UP, 3.0, 8.0, "low_volume")
    assert call.at(8.0) == _say(2, LOUDER, 8.0, 13.0, "low_volume")
    assert call.at(13.0) == _say(3, OTHER_PHONE, 13.0, 18.0, "low_volume")
    assert call.at(18.0).action == "end"


def test_still_too_quiet_moves_to_the_next_low_volume_line_at_once():
    call = Call(PROTOCOL).on("low_volume", 3.0).on("low_volume", 4.0)
    assert call.at(4.0) == _say(2, LOUDER, 4.0, 9.0, "low_volume")
    call = call.on("low_volume", 5.0)
    assert call.at(5.0) == _say(3, OTHER_PHONE, 5.0, 10.0, "low_volume")
    # on the last line, another event does not hang up early: the 5 seconds still run
    call = call.on("low_volume", 6.0)
    assert call.at(9.0).line == OTHER_PHONE
    assert call.at(10.0).action == "end"


def test_noise_says_the_line_and_hangs_up_5_seconds_later():
    call = Call(PROTOCOL).on("noise", 2.0)
    assert call.at(2.0) == _say(1, NOISE, 2.0, 7.0, "noise")
    assert call.at(7.0) == Instruction("end", "noise", 2, "", 7.0, None)


def test_a_foreign_language_is_routed_to_an_agent_who_speaks_it_when_one_is_available():
    call = Call(PROTOCOL).on("foreign_language", 4.0, language="fil", agent_available=True)
    assert call.at(4.0) == Instruction("route", "foreign_language", 1, TRANSFER, 4.0, None, language="fil")
    assert call.at(100.0).action == "route"


def test_without_such_an_agent_the_house_language_is_asked_for_and_the_call_never_hangs_up_by_itself():
    call = Call(PROTOCOL).on("foreign_language", 4.0, language="ilo")
    assert call.at(4.0) == _say(1, SPEAK_ENGLISH, 4.0, None, "foreign_language")
    assert call.at(600.0).line == SPEAK_ENGLISH
    call = call.on("foreign_language", 30.0, language="ilo")
    assert call.at(30.0) == _say(2, SOMEONE, 30.0, None, "foreign_language")
    assert call.on("foreign_language", 60.0).at(3600.0).line == SOMEONE
    assert call.on("customer_spoke", 90.0).at(90.0).action == "resolved"


def test_a_call_that_is_over_ignores_events_and_time_runs_forward_only():
    ended = Call(PROTOCOL)
    assert ended.on("low_volume", 20.0) == ended
    call = Call(PROTOCOL).on("noise", 3.0)
    with pytest.raises(ProtocolError, match="time order"):
        call.on("low_volume", 2.0)
    with pytest.raises(ProtocolError, match="unknown event"):
        Call(PROTOCOL).on("shouting", 1.0)  # type: ignore[arg-type]
    with pytest.raises(ProtocolError):
        Call(PROTOCOL).at(-1.0)


def test_the_steps_of_each_branch_as_written():
    assert PROTOCOL.steps("noise") == [Step(1, "say", NOISE, 0.0, 5.0), Step(2, "end", "", 5.0, None)]
    assert PROTOCOL.steps("foreign_language") == [
        Step(1, "say", SPEAK_ENGLISH, 0.0, None),
        Step(2, "say", SOMEONE, None, None),
    ]
    assert PROTOCOL.total_seconds("foreign_language") is None
    assert PROTOCOL.steps("nonsense") == []


def test_default_and_custom_timings():
    protocol = Protocol.of({"silent": ["A", "B"]}, wait_seconds=3.0)
    assert [(i.action, i.started_at) for i in timeline(protocol)] == [
        ("say", 0.0),
        ("say", 3.0),
        ("end", 6.0),
    ]
    custom = Protocol(branches={"silent": (Line("A", 2.0), Line("B", 8.0))})
    assert custom.total_seconds() == 10.0
    with pytest.raises(ProtocolError, match="silent branch"):
        Protocol(branches={"noise": (Line("x"),)})
    with pytest.raises(ProtocolError, match="longer than zero"):
        Protocol(branches={"silent": (Line("x", 0.0),)})


def test_an_event_without_lines_in_the_protocol_is_refused():
    with pytest.raises(ProtocolError, match="no lines for noise"):
        Call(Protocol.of({"silent": ["A"]})).on("noise", 1.0)


_events = st.lists(
    st.tuples(
        st.sampled_from(["low_volume", "noise", "foreign_language", "customer_spoke"]),
        st.floats(min_value=0, max_value=10, allow_nan=False),
        st.booleans(),
    ),
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(events=_events, times=st.lists(st.floats(min_value=0, max_value=60, allow_nan=False), min_size=2))
def test_the_timeline_is_monotonic(events, times):
    """After the last event, later times never go back to an earlier step, and next_at is ahead."""
    call, at = Call(PROTOCOL), 0.0
    for event, gap, available in events:
        at += gap
        call = call.on(event, at, language="fil", agent_available=available)
    previous = None
    for elapsed in sorted(at + t for t in times):
        instruction = call.at(elapsed)
        assert instruction.started_at <= elapsed
        assert instruction.next_at is None or instruction.next_at > elapsed
        if previous is not None and previous.branch == instruction.branch:
            assert (previous.started_at, previous.step) <= (instruction.started_at, instruction.step) or (
                instruction.action in ("resolved", "route")
            )
        previous = instruction


@settings(max_examples=100, deadline=None)
@given(cuts=st.lists(st.floats(min_value=0, max_value=20, allow_nan=False), max_size=6))
def test_polling_at_any_moments_sees_every_step_once(cuts):
    call = Call(PROTOCOL)
    moments = [0.0, *sorted(cuts), 20.0]
    due = [call.at(0.0)]
    for after, until in itertools.pairwise(moments):
        due += call.due_between(after, until)
    assert due == timeline(PROTOCOL)

"""The third identical answer in a row is replaced by a hand-off."""
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.anti_loop_policy import is_third_repeat, user_turns


def tracker_for(*turns):
    events = [ActionExecuted("action_listen")]
    for intent, action in turns:
        events.append(UserUttered("问题", intent={"name": intent, "confidence": 0.9}))
        if action:
            events += [ActionExecuted(action), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("t", events)


def test_turns_pair_each_intent_with_the_first_reply():
    tracker = tracker_for(("ask_courier", "utter_ask_courier"), ("greet", "utter_greet"), ("greet", None))
    assert user_turns(tracker) == [("ask_courier", "utter_ask_courier"),
                                   ("greet", "utter_greet"), ("greet", None)]


def test_third_repeat_of_the_same_answer_is_detected():
    turns = user_turns(tracker_for(("ask_courier", "utter_ask_courier"),
                                   ("ask_courier", "utter_ask_courier"), ("ask_courier", None)))
    assert is_third_repeat(turns, "action_handoff")


def test_second_repeat_is_still_answered():
    turns = user_turns(tracker_for(("ask_courier", "utter_ask_courier"), ("ask_courier", None)))
    assert not is_third_repeat(turns, "action_handoff")


def test_a_different_question_in_between_breaks_the_loop():
    turns = user_turns(tracker_for(("ask_courier", "utter_ask_courier"),
                                   ("ask_invoice", "utter_ask_invoice"), ("ask_courier", None)))
    assert not is_third_repeat(turns, "action_handoff")


def test_after_a_hand_off_the_policy_does_not_hand_off_again():
    turns = user_turns(tracker_for(("nlu_fallback", "action_handoff"),
                                   ("nlu_fallback", "action_handoff"), ("nlu_fallback", None)))
    assert not is_third_repeat(turns, "action_handoff")

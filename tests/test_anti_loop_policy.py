"""The third identical answer in a row is replaced by a hand-off; a hand-off ends the turn."""
from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.anti_loop_policy import is_third_repeat, user_turns

PROJECT = Path(__file__).resolve().parent.parent


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


@pytest.fixture(scope="module")
def policy_and_domain(tmp_path_factory):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.domain import Domain

    from components.anti_loop_policy import AntiLoopPolicy

    policy = AntiLoopPolicy.create(
        AntiLoopPolicy.get_default_config(),
        LocalModelStorage(tmp_path_factory.mktemp("storage")), Resource("anti_loop"),
        ExecutionContext(GraphSchema({}), "test"))
    return policy, Domain.load(str(PROJECT / "domain.yml"))


def predicted(policy_and_domain, tracker):
    policy, domain = policy_and_domain
    probabilities = policy.predict_action_probabilities(tracker, domain).probabilities
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    return domain.action_names_or_texts[best] if probabilities[best] > 0 else None


@pytest.mark.parametrize("ending", ["action_handoff", "action_unrecognised"])
def test_a_turn_ending_action_is_always_followed_by_listening(policy_and_domain, ending):
    events = [ActionExecuted("action_listen"),
              UserUttered("包邮吗", intent={"name": "ask_shipping_fee", "confidence": 0.9}),
              ActionExecuted(ending)]
    tracker = DialogueStateTracker.from_events("t", events)
    assert predicted(policy_and_domain, tracker) == "action_listen"


def test_the_third_repeat_predicts_the_hand_off_and_other_turns_abstain(policy_and_domain):
    repeat = tracker_for(("ask_courier", "utter_ask_courier"), ("ask_courier", "utter_ask_courier"),
                         ("ask_courier", None))
    assert predicted(policy_and_domain, repeat) == "action_handoff"
    second = tracker_for(("ask_courier", "utter_ask_courier"), ("ask_courier", None))
    assert predicted(policy_and_domain, second) is None

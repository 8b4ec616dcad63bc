"""action_handoff and action_unrecognised: replies, database rows, hostile input."""
import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.service import ActionHandoff, ActionUnrecognised
from actions.store import clip
from tests.conftest import make_tracker, rows


@pytest.mark.parametrize("intent, reason, response", [
    ("complain", "complaint", "utter_handoff_complaint"),
    ("request_human", "customer_request", "utter_handoff_request"),
    ("ask_price", "unresolved", "utter_handoff_unresolved"),  # e.g. the anti-loop policy
    (None, "unresolved", "utter_handoff_unresolved"),
])
def test_handoff_reason_reply_and_record(run, domain, shop_db, intent, reason, response):
    tracker = make_tracker(domain, intent=intent, text="你们这什么服务", sender_id="buyer-1")
    result = run(ActionHandoff(), tracker)
    assert result.responses == [response]
    assert result.values() == {"service_hours": "每天 9:00-23:00"}
    assert result.events == []
    assert rows(shop_db, "SELECT sender_id, reason, intent, text FROM handoffs") == [
        {"sender_id": "buyer-1", "reason": reason, "intent": intent, "text": "你们这什么服务"}]


def test_handoff_during_a_form_deactivates_it(run, domain, shop_db):
    tracker = make_tracker(domain, slots={"requested_slot": "order_id"}, intent="request_human",
                           text="转人工", active_loop="order_form")
    result = run(ActionHandoff(), tracker)
    assert result.events == [ActiveLoop(None), SlotSet("requested_slot", None)]


@pytest.mark.parametrize("text", ["", "🙂", "投诉" * 2500, "'); DROP TABLE handoffs; --"])
def test_handoff_with_hostile_text(run, domain, shop_db, text):
    result = run(ActionHandoff(), make_tracker(domain, intent="complain", text=text))
    assert result.responses == ["utter_handoff_complaint"]
    assert rows(shop_db, "SELECT text FROM handoffs") == [{"text": clip(text)}]
    assert len(rows(shop_db, "SELECT * FROM orders")) == 14


def test_handoff_still_answers_when_the_database_fails(run, domain, tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_DB", str(tmp_path))  # a directory
    result = run(ActionHandoff(), make_tracker(domain, intent="request_human", text="人工"))
    assert result.responses == ["utter_handoff_request"]


def test_unrecognised_records_text_and_confidences(run, domain, shop_db):
    ranking = [{"name": "nlu_fallback", "confidence": 0.3},
               {"name": "ask_price", "confidence": 0.21}, {"name": "greet", "confidence": 0.1}]
    tracker = make_tracker(domain, intent="nlu_fallback", confidence=0.3, ranking=ranking,
                           text="这个能不能用来煮火锅", sender_id="buyer-2")
    result = run(ActionUnrecognised(), tracker)
    assert result.responses == ["utter_unrecognised"]
    assert result.events == []
    assert rows(shop_db, "SELECT sender_id, text, intent, confidence, top_intent, top_confidence "
                         "FROM unrecognised") == [
        {"sender_id": "buyer-2", "text": "这个能不能用来煮火锅", "intent": "nlu_fallback",
         "confidence": 0.3, "top_intent": "ask_price", "top_confidence": 0.21}]


def test_unrecognised_after_core_fallback_keeps_the_real_intent(run, domain, shop_db):
    tracker = make_tracker(domain, intent="ask_courier", confidence=0.62, text="发啥")
    run(ActionUnrecognised(), tracker)
    assert rows(shop_db, "SELECT intent, confidence, top_intent FROM unrecognised") == [
        {"intent": "ask_courier", "confidence": 0.62, "top_intent": "ask_courier"}]


@pytest.mark.parametrize("text, stored", [
    ("", ""),
    ("😀😀", "😀😀"),
    ("啊" * 5000, "啊" * 999 + "…"),
    ("1; DELETE FROM unrecognised; --", "1; DELETE FROM unrecognised; --"),
])
def test_unrecognised_with_hostile_text(run, domain, shop_db, text, stored):
    tracker = make_tracker(domain, text=text)  # no intent at all
    result = run(ActionUnrecognised(), tracker)
    assert result.responses == ["utter_unrecognised"]
    assert rows(shop_db, "SELECT text, intent, confidence FROM unrecognised") == [
        {"text": stored, "intent": None, "confidence": None}]

"""action_session_start: policy slots, carried-over slots, the page the customer came from."""
import pytest
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions import shop_data
from actions.session import ActionSessionStart
from tests.conftest import make_tracker

POLICY_KEYS = list(shop_data.policy_scalars())


def policy_events():
    return [SlotSet(k, v) for k, v in shop_data.policy_scalars().items()]


def test_every_scalar_policy_key_has_a_text_slot(domain):
    assert len(POLICY_KEYS) >= 20
    for key in POLICY_KEYS:
        assert domain["slots"][key]["type"] == "text", key


def test_new_session_sets_the_policy_slots(run, domain):
    result = run(ActionSessionStart(), make_tracker(domain))
    assert result.events == [SessionStarted()] + policy_events() + [ActionExecuted("action_listen")]
    assert SlotSet("return_days", "7") in result.events
    assert SlotSet("ship_within_hours", "48") in result.events
    assert SlotSet("shop_name", "悦己生活小铺") in result.events
    assert result.messages == []


def test_slots_of_the_old_session_are_carried_over(run, domain):
    tracker = make_tracker(domain, slots={
        "order_id": "4201230001234567890", "order_status": "delivered", "height": 170.0,
        "return_days": "30", "requested_slot": "weight",
        "session_started_metadata": {"product": "P01"},
    })
    result = run(ActionSessionStart(), tracker)
    assert result.events == (
        [SessionStarted(), SlotSet("order_id", "4201230001234567890"),
         SlotSet("height", 170.0), SlotSet("order_status", "delivered")]
        + policy_events()  # the old "30" is replaced by the policy's 7
        + [SlotSet("product", "P01"), ActionExecuted("action_listen")]
    )


def test_no_carry_over_when_the_domain_says_so(run, domain):
    no_carry = {**domain, "session_config": {"carry_over_slots_to_new_session": False}}
    tracker = make_tracker(domain, slots={"order_id": "4201230001234567890"})
    result = run(ActionSessionStart(), tracker, no_carry)
    assert result.events == [SessionStarted()] + policy_events() + [ActionExecuted("action_listen")]


@pytest.mark.parametrize("metadata, expected", [
    ({"product": "P03"}, [SlotSet("product", "P03")]),
    ({"product": "牛仔裤"}, [SlotSet("product", "P03")]),
    ({"product": "白t"}, [SlotSet("product", "P01")]),
    ({"order_id": "4201 2300 0123 4567 890"},
     [SlotSet("order_id", "4201230001234567890"), SlotSet("order_status", None)]),
    ({"product": "不存在的商品", "order_id": "12345"}, []),
    ({"product": {"id": "P03"}, "order_id": ["x"]}, []),
    ("not a dict", []),
])
def test_session_metadata_sets_the_page_context(run, domain, metadata, expected):
    tracker = make_tracker(domain, slots={"session_started_metadata": metadata})
    result = run(ActionSessionStart(), tracker)
    assert result.events == [SessionStarted()] + policy_events() + expected + [
        ActionExecuted("action_listen")]


def test_metadata_order_already_in_the_conversation_keeps_its_status(run, domain):
    tracker = make_tracker(domain, slots={
        "order_id": "4201230001234567890", "order_status": "delivered",
        "session_started_metadata": {"order_id": "4201230001234567890"}})
    events = run(ActionSessionStart(), tracker).events
    assert SlotSet("order_status", None) not in events
    assert SlotSet("order_status", "delivered") in events


def test_policy_key_without_a_domain_slot_is_skipped(run, domain, tmp_path, monkeypatch):
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "policy.yml").write_text("shop_name: 小店\nnew_rule: 新政策\nwords: [a, b]\n", "utf-8")
    monkeypatch.setenv("SHOP_DIR", str(shop))
    result = run(ActionSessionStart(), make_tracker(domain))
    assert result.events == [SessionStarted(), SlotSet("shop_name", "小店"),
                             ActionExecuted("action_listen")]

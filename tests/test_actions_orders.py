"""validate_order_form, action_order_followup (returns, logistics, quality) and action_inform."""
import re

import pytest
from rasa_sdk.events import SlotSet

from actions.followup import ActionOrderFollowup, task_intent
from actions.inform import ActionInform
from actions.order_form import ValidateOrderForm
from actions.store import OrderStore
from tests.conftest import make_tracker, rows, user_event

UNPAID = "4201230001234500011"
PAID_2H = "4201230001234500028"
PAID_60H = "4201230001234500035"
PAID_REFUND_PENDING = "4201230001234500141"
SHIPPED = "4201230001234500042"
SHIPPED_EARPHONES = "4201230001234500059"
DELIVERED_2D = "4201230001234567890"
DELIVERED_10D = "4201230001234500066"
CREAM_3D = "4201230001234500073"
EARPHONES_1D = "4201230001234500127"
RETURNING = "4201230001234500103"
COMPLETED_4D = "4201230001234500097"
COMPLETED_20D = "4201230001234500080"
REFUNDED = "4201230001234500110"


def status_of(order_id):
    return OrderStore().get_order(order_id)["status"]


# ---------------------------------------------------------------- validate_order_form


def form_tracker(domain, candidate=None, text="", entities=None, requested="order_id"):
    """The tracker Rasa sends to validate_order_form: candidates after the form action."""
    events = [user_event("inform", text), {"event": "action", "name": "order_form"}]
    slots = {"requested_slot": requested}
    if candidate is not None:
        events.append({"event": "slot", "name": "order_id", "value": candidate})
        slots["order_id"] = candidate
    return make_tracker(domain, slots=slots, intent="inform", text=text, entities=entities,
                        events=events, active_loop="order_form", append_user=False)


def test_known_order_is_accepted_with_its_status(run, domain, shop_db):
    result = run(ValidateOrderForm(), form_tracker(domain, DELIVERED_2D, text=DELIVERED_2D,
                                                   entities=[("order_id", DELIVERED_2D)]))
    assert result.events == [SlotSet("order_id", DELIVERED_2D),
                             SlotSet("order_status", "delivered")]
    assert result.messages == []


@pytest.mark.parametrize("typed", ["4201-2300-0123-4500-028", "4201 2300 0123 4500 028",
                                   "４２０１２３０００１２３４５０００２８"])
def test_order_number_with_separators_or_full_width_digits(run, domain, shop_db, typed):
    result = run(ValidateOrderForm(), form_tracker(domain, typed))
    assert result.events == [SlotSet("order_id", PAID_2H), SlotSet("order_status", "paid")]


def test_number_the_entity_extractor_missed_is_read_from_the_text(run, domain, shop_db):
    result = run(ValidateOrderForm(), form_tracker(domain, text="单号 4201 2300 0123 4500 028 麻烦了"))
    assert result.events == [SlotSet("order_id", PAID_2H), SlotSet("order_status", "paid")]


def test_unknown_order_is_refused_with_its_number(run, domain, shop_db):
    result = run(ValidateOrderForm(), form_tracker(domain, "4209999999999999999"))
    assert result.responses == ["utter_order_not_found"]
    assert result.values() == {"order_id": "4209999999999999999"}
    assert result.events == [SlotSet("order_id", None)]


@pytest.mark.parametrize("candidate", ["12345678", "3201230001234567890", "42012300012345678",
                                       "42' OR '1'='1", "4201230001234567890; DROP TABLE orders"])
def test_malformed_order_number_explains_the_format(run, domain, shop_db, candidate):
    OrderStore().get_order(DELIVERED_2D)  # seed, so the check below sees a real database
    result = run(ValidateOrderForm(), form_tracker(domain, candidate))
    assert result.responses == ["utter_order_id_format"]
    assert result.events == [SlotSet("order_id", None)]
    assert len(rows(shop_db, "SELECT * FROM orders")) == 14


def test_text_without_digits_leaves_the_form_to_rasa(run, domain, shop_db):
    result = run(ValidateOrderForm(), form_tracker(domain, text="我找不到订单号"))
    assert result.events == [] and result.messages == []


# ---------------------------------------------------------------- action_order_followup


def followup(run, domain, order_id, intent, order_status="same", text="", **slots):
    """Runs action_order_followup after `intent` -> order_form -> the order number."""
    status = status_of(order_id) if order_status == "same" else order_status
    history = [user_event(intent, text or "请帮我看看"), {"event": "action", "name": "order_form"}]
    tracker = make_tracker(domain, slots={"order_id": order_id, "order_status": status, **slots},
                           intent="inform", text=order_id, events=history)
    return run(ActionOrderFollowup(), tracker)


@pytest.mark.parametrize("order_id, intent, response", [
    (UNPAID, "request_refund", "utter_cancel_unpaid"),
    (UNPAID, "cancel_order", "utter_cancel_unpaid"),
    (PAID_2H, "cancel_order", "utter_refund_before_shipping"),
    (PAID_60H, "request_refund", "utter_refund_before_shipping"),
    (PAID_2H, "request_exchange", "utter_exchange_before_shipping"),
    (SHIPPED, "request_return", "utter_return_in_transit"),
    (SHIPPED, "cancel_order", "utter_return_in_transit"),
    (SHIPPED, "request_exchange", "utter_exchange_in_transit"),
    (DELIVERED_2D, "request_return", "utter_return_allowed"),
    (DELIVERED_2D, "request_refund", "utter_return_allowed"),
    (DELIVERED_2D, "request_exchange", "utter_exchange_allowed"),
    (COMPLETED_4D, "request_return", "utter_return_allowed"),
    (DELIVERED_10D, "request_return", "utter_return_window_passed_exchange_ok"),
    (DELIVERED_10D, "request_exchange", "utter_exchange_allowed"),
    (COMPLETED_20D, "request_return", "utter_return_window_passed"),
    (COMPLETED_20D, "request_exchange", "utter_exchange_window_passed"),
    (CREAM_3D, "request_return", "utter_return_excluded"),
    (RETURNING, "request_return", "utter_refund_returning"),
    (RETURNING, "ask_refund_progress", "utter_refund_returning"),
    (PAID_REFUND_PENDING, "cancel_order", "utter_refund_pending"),
    (PAID_REFUND_PENDING, "ask_refund_progress", "utter_refund_pending"),
    (REFUNDED, "ask_refund_progress", "utter_refund_completed"),
    (REFUNDED, "request_refund", "utter_refund_completed"),
    (REFUNDED, "request_exchange", "utter_order_status"),
    (DELIVERED_2D, "ask_refund_progress", "utter_no_refund"),
])
def test_return_family_by_order_state(run, domain, shop_db, order_id, intent, response):
    result = followup(run, domain, order_id, intent)
    assert result.responses == [response]
    assert result.values()["order_id"] == order_id
    assert result.events == []


def test_return_reply_values(run, domain, shop_db):
    allowed = followup(run, domain, DELIVERED_2D, "request_return").values()
    assert allowed["product_name"] == "高腰直筒牛仔裤"
    assert allowed["return_days"] == "7"
    assert allowed["return_address"].startswith("浙江省杭州市")
    assert re.fullmatch(r"\d+月\d+日 \d\d:\d\d", allowed["deadline"])
    excluded = followup(run, domain, CREAM_3D, "request_return").values()
    assert excluded["return_note"].startswith("属于护肤品")
    refunded = followup(run, domain, REFUNDED, "ask_refund_progress").values()
    assert (refunded["refund_amount"], refunded["refund_days"]) == ("129", "1-3")


@pytest.mark.parametrize("order_id, intent, response", [
    (UNPAID, "where_is_parcel", "utter_order_status"),
    (PAID_2H, "where_is_parcel", "utter_order_status"),
    (PAID_2H, "urge_shipping", "utter_order_status"),
    (SHIPPED, "where_is_parcel", "utter_order_status"),
    (SHIPPED, "urge_shipping", "utter_order_status"),
    (SHIPPED, "delivered_not_received", "utter_order_status"),
    (DELIVERED_2D, "where_is_parcel", "utter_order_status"),
    (COMPLETED_20D, "urge_shipping", "utter_order_status"),
    (REFUNDED, "where_is_parcel", "utter_order_status"),
    (UNPAID, "change_address", "utter_change_address_self"),
    (DELIVERED_2D, "change_address", "utter_change_address_delivered"),
])
def test_logistics_answers_by_order_state(run, domain, shop_db, order_id, intent, response):
    result = followup(run, domain, order_id, intent)
    assert result.responses == [response]
    assert result.events == []
    assert rows(shop_db, "SELECT * FROM tickets") == []
    assert rows(shop_db, "SELECT * FROM urges") == []


def test_conditional_status_reply_gets_every_variable(run, domain, shop_db):
    shipped = followup(run, domain, SHIPPED, "where_is_parcel")
    assert shipped.values()["courier"] == "中通快递"
    assert len(shipped.values()["tracking_events"].split("\n")) == 3
    assert "上海转运中心" in shipped.texts[0]
    paid = followup(run, domain, PAID_2H, "where_is_parcel")
    assert paid.values()["hours_left"] == "46"
    assert "预计46小时内发出" in paid.texts[0]
    delivered = followup(run, domain, DELIVERED_2D, "where_is_parcel")
    assert "驿站" in delivered.values()["last_event"]


def test_overdue_order_apologises_and_records_an_urge(run, domain, shop_db):
    result = followup(run, domain, PAID_60H, "urge_shipping")
    assert result.responses == ["utter_ship_overdue"]
    assert result.values()["hours_since"] == "60"
    urges = rows(shop_db, "SELECT order_id, sender_id FROM urges")
    assert urges == [{"order_id": PAID_60H, "sender_id": "test-user"}]


def test_delivered_not_received_opens_one_ticket(run, domain, shop_db):
    first = followup(run, domain, DELIVERED_2D, "delivered_not_received", text="显示签收了但我没收到")
    assert first.responses == ["utter_not_received_ticket"]
    tickets = rows(shop_db, "SELECT * FROM tickets")
    assert len(tickets) == 1
    assert tickets[0]["kind"] == "not_received" and tickets[0]["order_id"] == DELIVERED_2D
    assert tickets[0]["text"] == DELIVERED_2D  # the latest message
    assert first.values()["ticket_no"] == tickets[0]["ticket_no"]
    again = followup(run, domain, DELIVERED_2D, "delivered_not_received")
    assert again.responses == ["utter_ticket_exists"]
    assert again.values()["ticket_no"] == tickets[0]["ticket_no"]
    assert len(rows(shop_db, "SELECT * FROM tickets")) == 1


@pytest.mark.parametrize("order_id, response", [
    (PAID_2H, "utter_change_address_noted"),
    (SHIPPED_EARPHONES, "utter_change_address_shipped"),
])
def test_address_change_opens_a_ticket(run, domain, shop_db, order_id, response):
    result = followup(run, domain, order_id, "change_address")
    assert result.responses == [response]
    ticket = rows(shop_db, "SELECT kind, order_id, ticket_no FROM tickets")
    assert ticket == [{"kind": "address_change", "order_id": order_id,
                       "ticket_no": result.values()["ticket_no"]}]


@pytest.mark.parametrize("intent, kind", [
    ("report_damaged", "damaged"), ("report_defect", "defect"),
    ("report_wrong_item", "wrong_item"), ("suspect_fake", "fake"), ("report_allergy", "allergy"),
])
def test_quality_problem_opens_a_ticket_and_names_it(run, domain, shop_db, intent, kind):
    result = followup(run, domain, EARPHONES_1D, intent, text="耳机收到就坏了")
    assert result.responses == [f"utter_quality_{kind}"]
    ticket = rows(shop_db, "SELECT * FROM tickets")
    assert len(ticket) == 1
    assert (ticket[0]["kind"], ticket[0]["order_id"], ticket[0]["sender_id"], ticket[0]["status"]) \
        == (kind, EARPHONES_1D, "test-user", "open")
    assert result.values()["ticket_no"] == ticket[0]["ticket_no"]
    assert ticket[0]["ticket_no"] in result.texts[0]


def test_allergy_on_opened_skincare_goes_the_quality_route(run, domain, shop_db):
    result = followup(run, domain, CREAM_3D, "report_allergy")
    assert result.responses == ["utter_quality_allergy"]
    assert "拆封的也可以申请退货退款" in result.texts[0]


def test_same_quality_problem_twice_keeps_one_ticket(run, domain, shop_db):
    followup(run, domain, EARPHONES_1D, "report_damaged")
    again = followup(run, domain, EARPHONES_1D, "report_damaged")
    assert again.responses == ["utter_ticket_exists"]
    assert again.values()["ticket_label"] == "破损"
    other = followup(run, domain, EARPHONES_1D, "report_wrong_item")
    assert other.responses == ["utter_quality_wrong_item"]
    assert len(rows(shop_db, "SELECT * FROM tickets")) == 2


@pytest.mark.parametrize("order_id, responses", [
    (UNPAID, ["utter_order_status", "utter_quality_not_delivered"]),
    (PAID_2H, ["utter_order_status", "utter_quality_not_delivered"]),
    (PAID_60H, ["utter_ship_overdue", "utter_quality_not_delivered"]),
    (REFUNDED, ["utter_order_status"]),
])
def test_quality_problem_on_an_order_not_received(run, domain, shop_db, order_id, responses):
    result = followup(run, domain, order_id, "report_damaged")
    assert result.responses == responses
    assert rows(shop_db, "SELECT * FROM tickets") == []


def test_task_intent_is_the_latest_request_before_the_order_number(domain):
    tracker = make_tracker(domain, intent="inform", text=DELIVERED_2D, events=[
        user_event("request_return"), user_event("greet"), user_event("where_is_parcel"),
        user_event("thanks")])
    assert task_intent(tracker) == "where_is_parcel"
    assert task_intent(make_tracker(domain, intent="inform", text="x")) is None


def test_followup_without_a_request_gives_the_overview(run, domain, shop_db):
    tracker = make_tracker(domain, slots={"order_id": SHIPPED}, intent="inform", text=SHIPPED)
    result = run(ActionOrderFollowup(), tracker)
    assert result.responses == ["utter_order_found"]
    assert result.values()["status_label"] == "已发货"
    assert result.events == [SlotSet("order_status", "shipped")]


def test_stale_order_status_slot_falls_back_to_the_plain_overview(run, domain, shop_db):
    result = followup(run, domain, SHIPPED, "where_is_parcel", order_status="delivered")
    assert result.responses == ["utter_order_found"]
    assert result.events == [SlotSet("order_status", "shipped")]


def test_followup_with_unknown_or_missing_order(run, domain, shop_db):
    unknown = followup(run, domain, "4209999999999999999", "request_return", order_status=None)
    assert unknown.responses == ["utter_order_not_found"]
    assert unknown.events == [SlotSet("order_id", None), SlotSet("order_status", None)]
    tracker = make_tracker(domain, intent="inform", text="", events=[user_event("request_return")])
    missing = run(ActionOrderFollowup(), tracker)
    assert missing.responses == ["utter_ask_order_id"] and missing.events == []


def test_database_failure_is_apologised_for(run, domain, tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_DB", str(tmp_path))  # a directory: sqlite cannot open it
    result = followup_without_db(run, domain)
    assert result.responses == ["utter_system_busy"]
    assert result.events == []


def followup_without_db(run, domain):
    tracker = make_tracker(domain, slots={"order_id": DELIVERED_2D}, intent="inform",
                           events=[user_event("request_return")], text=DELIVERED_2D)
    return run(ActionOrderFollowup(), tracker)


# ---------------------------------------------------------------- action_inform


def inform(run, domain, text, entities=(), **slots):
    tracker = make_tracker(domain, slots=slots, intent="inform", text=text, entities=list(entities))
    return run(ActionInform(), tracker)


def test_inform_order_number_gives_a_short_overview(run, domain, shop_db):
    result = inform(run, domain, f"订单号 {DELIVERED_10D}", [("order_id", DELIVERED_10D)])
    assert result.responses == ["utter_order_found"]
    assert (result.values()["product_name"], result.values()["status_label"]) == \
        ("法式碎花连衣裙", "已签收")
    assert result.events == [SlotSet("order_id", DELIVERED_10D),
                             SlotSet("order_status", "delivered")]


def test_inform_order_number_with_spaces_and_no_entity(run, domain, shop_db):
    result = inform(run, domain, "4201 2300 0123 4500 011")
    assert result.events == [SlotSet("order_id", UNPAID), SlotSet("order_status", "unpaid")]


@pytest.mark.parametrize("text, response", [
    ("4209999999999999999", "utter_order_not_found"),
    ("我的电话13800001111", "utter_order_id_format"),
    ("1" * 5000, "utter_order_id_format"),
])
def test_inform_bad_order_numbers(run, domain, shop_db, text, response):
    result = inform(run, domain, text)
    assert result.responses == [response]
    assert result.events == [SlotSet("order_id", None)]


def test_inform_measures_recommend_a_size_for_the_current_product(run, domain, shop_db):
    result = inform(run, domain, "170 60kg", [("height", "170"), ("weight", "60")], product="P02")
    assert result.responses == ["utter_size_recommend"]
    assert result.values()["size"] == "L"
    assert result.events == [SlotSet("height", 170.0), SlotSet("weight", 60.0),
                             SlotSet("product", "P02")]


def test_inform_one_measure_uses_the_other_from_the_slots(run, domain, shop_db):
    result = inform(run, domain, "体重130斤", [("weight", "65")], product="P01", height=172.0)
    assert result.values()["size"] == "L"
    asks = inform(run, domain, "体重130斤", [("weight", "65")], product="P01")
    assert asks.responses == ["utter_ask_height"]


def test_inform_foot_length_for_shoes(run, domain, shop_db):
    result = inform(run, domain, "脚长25", [("foot_length", "25")], product="P06")
    assert result.responses == ["utter_shoe_size_recommend"]
    assert result.values()["size"] == "41"


def test_inform_measures_without_product_asks_which_and_keeps_them(run, domain, shop_db):
    result = inform(run, domain, "165 50kg", [("height", "165"), ("weight", "50")])
    assert result.responses == ["utter_ask_which_product"]
    assert result.events == [SlotSet("height", 165.0), SlotSet("weight", 50.0)]


def test_inform_implausible_measure(run, domain, shop_db):
    result = inform(run, domain, "身高300", [("height", "300")], product="P01")
    assert result.responses == ["utter_invalid_height"]
    assert result.events == [SlotSet("height", None)]


def test_inform_product_name_after_measures_recommends(run, domain, shop_db):
    result = inform(run, domain, "牛仔裤", [("product", "P03")], height=162.0, weight=50.0)
    assert result.responses == ["utter_size_recommend"]
    assert result.values()["size"] == "M"
    assert result.events == [SlotSet("product", "P03")]


def test_inform_product_name_alone_asks_what_to_know(run, domain, shop_db):
    result = inform(run, domain, "面霜", [("product", "P08")], height=165.0, weight=50.0)
    assert result.responses == ["utter_ask_product_question"]
    assert result.events == [SlotSet("product", "P08")]


@pytest.mark.parametrize("text", ["", "😀😀😀", "嗯" * 5000, "'; DROP TABLE orders; --",
                                  "170"])
def test_inform_without_anything_usable_asks_what_they_need(run, domain, shop_db, text):
    result = inform(run, domain, text)
    assert result.responses == ["utter_ask_what_need"]
    assert result.events == []

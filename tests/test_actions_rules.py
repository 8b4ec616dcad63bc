"""Pure decision functions: after-sales rules, size advice, order numbers (no Rasa, no DB)."""
from datetime import datetime, timedelta

import pytest

from actions import products, shop_data, timeutil
from actions.after_sales_rules import (
    logistics_decision,
    quality_decision,
    refund_progress,
    return_decision,
    tracking_text,
)
from actions.order_form import find_order_number, is_well_formed, normalise_order_id

NOW = datetime(2024, 6, 15, 12, 0, 0)
POLICY = {"return_days": 7, "exchange_days": 15, "ship_within_hours": 48,
          "refund_days": "1-3", "delivery_days": "2-4"}
SHIRT = {"id": "P01", "name": "纯棉短袖T恤", "kind": "clothing", "return_excluded": False}
CREAM = {"id": "P08", "name": "玻尿酸保湿面霜", "kind": "skincare", "return_excluded": True,
         "return_note": "属于护肤品，拆封后不支持七天无理由退货"}


def ago(**delta) -> str:
    return timeutil.to_db(NOW - timedelta(**delta))


def order(status, **times):
    """An order row; times are keyword timedeltas ago, e.g. delivered=timedelta(days=2)."""
    row = {"order_id": "4201230001234567890", "product_id": "P01", "status": status,
           "amount": 59.0, "courier": "中通快递", "tracking_no": "78312345678901",
           "created_at": ago(days=30)}
    for key, delta in times.items():
        row[f"{key}_at"] = timeutil.to_db(NOW - delta)
    return row


def refund(kind="return", status="returning", **extra):
    return {"kind": kind, "status": status, "amount": 59.0, "created_at": ago(days=2),
            "updated_at": ago(days=1), "completed_at": None, **extra}


# ---------------------------------------------------------------- return_decision


@pytest.mark.parametrize("kind", ["return", "exchange", "refund", "cancel"])
def test_unpaid_order_has_nothing_to_refund_just_close_it(kind):
    decision = return_decision(order("unpaid"), SHIRT, NOW, POLICY, kind)
    assert (decision.allowed, decision.reason) == (True, "unpaid_close")


@pytest.mark.parametrize("kind, reason", [
    ("return", "refund_before_shipping"),
    ("refund", "refund_before_shipping"),
    ("cancel", "refund_before_shipping"),
    ("exchange", "exchange_before_shipping"),
])
def test_paid_not_shipped_can_be_cancelled_directly(kind, reason):
    decision = return_decision(order("paid", paid=timedelta(hours=2)), SHIRT, NOW, POLICY, kind)
    assert (decision.allowed, decision.reason) == (True, reason)
    assert decision.values["amount"] == "59"


@pytest.mark.parametrize("kind, reason", [
    ("return", "in_transit"), ("refund", "in_transit"), ("cancel", "in_transit"),
    ("exchange", "exchange_in_transit"),
])
def test_shipped_order_refuse_delivery_or_act_after_signing(kind, reason):
    shipped = order("shipped", shipped=timedelta(days=1))
    decision = return_decision(shipped, SHIRT, NOW, POLICY, kind)
    assert (decision.allowed, decision.reason) == (False, reason)
    assert decision.values["courier"] == "中通快递"
    assert decision.values["tracking_no"] == "78312345678901"


@pytest.mark.parametrize("status", ["delivered", "completed"])
def test_return_within_seven_days_of_delivery(status):
    decision = return_decision(
        order(status, delivered=timedelta(days=2), completed=timedelta(days=1)),
        SHIRT, NOW, POLICY, "return",
    )
    assert (decision.allowed, decision.reason) == (True, "return_allowed")
    assert decision.values["deadline"] == "6月20日 12:00"
    assert decision.values["delivered_date"] == "6月13日"
    assert decision.values["return_days"] == "7"


def test_return_window_edge_is_inclusive():
    on_edge = order("delivered", delivered=timedelta(days=7))
    just_past = order("delivered", delivered=timedelta(days=7, seconds=1))
    assert return_decision(on_edge, SHIRT, NOW, POLICY, "return").reason == "return_allowed"
    late = return_decision(just_past, SHIRT, NOW, POLICY, "return")
    assert (late.allowed, late.reason) == (False, "return_window_passed_exchange_ok")
    assert late.values["deadline"] == "6月23日 11:59"  # signed 7 days + 1 s ago, plus 15 days


def test_exchange_window_edge():
    on_edge = order("delivered", delivered=timedelta(days=15))
    just_past = order("delivered", delivered=timedelta(days=15, seconds=1))
    assert return_decision(on_edge, SHIRT, NOW, POLICY, "exchange").reason == "exchange_allowed"
    assert return_decision(just_past, SHIRT, NOW, POLICY, "exchange").reason == \
        "exchange_window_passed"
    assert return_decision(just_past, SHIRT, NOW, POLICY, "return").reason == \
        "return_window_passed"


def test_ten_days_after_delivery_exchange_but_no_return():
    ten_days = order("delivered", delivered=timedelta(days=10))
    assert return_decision(ten_days, SHIRT, NOW, POLICY, "exchange").allowed
    assert not return_decision(ten_days, SHIRT, NOW, POLICY, "refund").allowed


@pytest.mark.parametrize("kind", ["return", "refund", "exchange", "cancel"])
def test_opened_skincare_cannot_be_returned_without_reason(kind):
    decision = return_decision(order("delivered", delivered=timedelta(days=3)), CREAM, NOW,
                               POLICY, kind)
    assert (decision.allowed, decision.reason) == (False, "excluded")
    assert decision.values["return_note"] == CREAM["return_note"]


def test_excluded_product_past_return_window_gets_no_exchange_offer():
    decision = return_decision(order("delivered", delivered=timedelta(days=10)), CREAM, NOW,
                               POLICY, "return")
    assert decision.reason == "return_window_passed"


@pytest.mark.parametrize("status", ["pending", "agreed", "returning", "refunding"])
@pytest.mark.parametrize("kind", ["return", "exchange"])
def test_existing_refund_reports_its_progress(status, kind):
    decision = return_decision(order("delivered", delivered=timedelta(days=3)), SHIRT, NOW,
                               POLICY, kind, [refund(status=status)])
    assert (decision.allowed, decision.reason) == (False, f"refund_{status}")
    assert decision.values["refund_kind"] == "退货退款"
    assert decision.values["applied_at"] == "6月13日 12:00"


def test_closed_order_with_completed_refund_reports_the_refund():
    done = refund(kind="refund", status="completed", completed_at=ago(days=1))
    closed = order("closed", paid=timedelta(days=3), closed=timedelta(days=1))
    decision = return_decision(closed, SHIRT, NOW, POLICY, "refund", [done])
    assert decision.reason == "refund_completed"
    assert decision.values["refunded_at"] == "6月14日 12:00"
    assert return_decision(closed, SHIRT, NOW, POLICY, "exchange", [done]).reason == "order_closed"
    assert return_decision(closed, SHIRT, NOW, POLICY, "return").reason == "order_closed"


def test_finished_or_withdrawn_applications_do_not_block_a_new_one():
    history = [refund(kind="exchange", status="completed"), refund(status="closed")]
    decision = return_decision(order("delivered", delivered=timedelta(days=2)), SHIRT, NOW,
                               POLICY, "return", history)
    assert decision.reason == "return_allowed"


def test_policy_numbers_may_be_text_and_missing_ones_fall_back():
    delivered = order("delivered", delivered=timedelta(days=9))
    assert return_decision(delivered, SHIRT, NOW, {"return_days": "10"}, "return").allowed
    assert not return_decision(delivered, SHIRT, NOW, {}, "return").allowed  # default 7 days
    assert return_decision(delivered, SHIRT, NOW, {"return_days": "七天"}, "return").reason == \
        "return_window_passed_exchange_ok"


def test_delivery_time_falls_back_to_completion_time():
    row = order("completed", completed=timedelta(days=1))
    assert return_decision(row, SHIRT, NOW, POLICY, "return").reason == "return_allowed"


def test_unknown_product_still_decides_with_the_product_id_as_name():
    decision = return_decision(order("delivered", delivered=timedelta(days=1)), None, NOW,
                               POLICY, "return")
    assert decision.reason == "return_allowed"
    assert decision.values["product_name"] == "P01"


def test_unknown_return_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        return_decision(order("paid"), SHIRT, NOW, POLICY, "steal")


# ---------------------------------------------------------------- refund_progress


def test_refund_progress_without_application():
    assert refund_progress(order("delivered"), SHIRT, [], POLICY).reason == "no_refund"


def test_refund_progress_prefers_the_open_application():
    done = refund(kind="refund", status="completed")
    decision = refund_progress(order("delivered"), SHIRT, [refund(status="refunding"), done],
                               POLICY)
    assert decision.reason == "refund_refunding"
    assert decision.values["refund_days"] == "1-3"


# ---------------------------------------------------------------- logistics


def events(*descriptions):
    return [{"happened_at": ago(hours=len(descriptions) - i), "description": d}
            for i, d in enumerate(descriptions)]


@pytest.mark.parametrize("kind", ["where_is_parcel", "urge_shipping", "delivered_not_received"])
def test_unpaid_order_must_be_paid_first(kind):
    assert logistics_decision(order("unpaid"), SHIRT, [], NOW, POLICY, kind).reason == "pay_first"


def test_unpaid_order_address_is_changed_by_the_customer():
    decision = logistics_decision(order("unpaid"), SHIRT, [], NOW, POLICY, "change_address")
    assert (decision.allowed, decision.reason) == (True, "change_address_self")


def test_paid_order_ships_within_the_promised_hours():
    decision = logistics_decision(order("paid", paid=timedelta(hours=2)), SHIRT, [], NOW, POLICY,
                                  "urge_shipping")
    assert (decision.allowed, decision.reason) == (True, "ship_pending")
    assert decision.values["hours_left"] == "46"
    assert decision.values["ship_within_hours"] == "48"


def test_ship_deadline_edge():
    on_time = logistics_decision(order("paid", paid=timedelta(hours=48)), SHIRT, [], NOW, POLICY,
                                 "where_is_parcel")
    assert (on_time.reason, on_time.values["hours_left"]) == ("ship_pending", "1")
    late = logistics_decision(order("paid", paid=timedelta(hours=48, seconds=1)), SHIRT, [], NOW,
                              POLICY, "where_is_parcel")
    assert (late.allowed, late.reason) == (False, "ship_overdue")


def test_overdue_order_says_how_long_it_waited():
    decision = logistics_decision(order("paid", paid=timedelta(hours=60)), SHIRT, [], NOW, POLICY,
                                  "urge_shipping")
    assert decision.reason == "ship_overdue"
    assert decision.values["hours_since"] == "60"


def test_paid_order_address_change_opens_a_ticket_unless_one_is_open():
    paid = order("paid", paid=timedelta(hours=2))
    decision = logistics_decision(paid, SHIRT, [], NOW, POLICY, "change_address")
    assert (decision.allowed, decision.reason) == (True, "change_address_before_shipping")
    assert decision.values["ticket_kind"] == "address_change"
    again = logistics_decision(paid, SHIRT, [], NOW, POLICY, "change_address",
                               {"ticket_no": "SH202406150001"})
    assert (again.allowed, again.reason) == (False, "ticket_exists")
    assert again.values["ticket_no"] == "SH202406150001"
    assert again.values["ticket_label"] == "修改地址"


def test_shipped_order_shows_the_newest_tracking_events_first():
    history = events("揽件", "到达杭州", "发往上海", "到达上海")
    decision = logistics_decision(order("shipped", shipped=timedelta(days=1)), SHIRT, history,
                                  NOW, POLICY, "where_is_parcel")
    assert decision.reason == "in_transit"
    lines = decision.values["tracking_events"].split("\n")
    assert len(lines) == 3
    assert lines[0].endswith("到达上海") and lines[-1].endswith("到达杭州")
    assert decision.values["last_event"] == "到达上海"


def test_shipped_order_without_tracking_yet():
    decision = logistics_decision(order("shipped"), SHIRT, [], NOW, POLICY, "where_is_parcel")
    assert decision.values["tracking_events"] == "暂时还没有物流记录"


def test_shipped_order_address_change_asks_the_courier_to_reroute():
    decision = logistics_decision(order("shipped"), SHIRT, [], NOW, POLICY, "change_address")
    assert (decision.allowed, decision.reason) == (True, "change_address_shipped")


@pytest.mark.parametrize("status", ["delivered", "completed"])
def test_delivered_order_tells_when_it_was_signed(status):
    history = events("派送中", "已签收，签收人：菜鸟驿站代收")
    decision = logistics_decision(order(status, delivered=timedelta(days=2)), SHIRT, history,
                                  NOW, POLICY, "where_is_parcel")
    assert decision.reason == "delivered"
    assert decision.values["delivered_at"] == "6月13日 12:00"
    assert "驿站" in decision.values["last_event"]


def test_delivered_but_not_received_opens_a_ticket():
    delivered = order("delivered", delivered=timedelta(days=2))
    decision = logistics_decision(delivered, SHIRT, [], NOW, POLICY, "delivered_not_received")
    assert (decision.allowed, decision.reason) == (True, "not_received_ticket")
    assert decision.values["ticket_kind"] == "not_received"
    assert logistics_decision(delivered, SHIRT, [], NOW, POLICY, "change_address").reason == \
        "change_address_delivered"


def test_closed_order_has_no_logistics():
    assert logistics_decision(order("closed"), SHIRT, [], NOW, POLICY, "where_is_parcel").reason \
        == "order_closed"


def test_tracking_text_is_empty_without_events():
    assert tracking_text([]) == ""


# ---------------------------------------------------------------- quality


@pytest.mark.parametrize("intent, kind", [
    ("report_damaged", "damaged"), ("report_defect", "defect"),
    ("report_wrong_item", "wrong_item"), ("suspect_fake", "fake"), ("report_allergy", "allergy"),
])
def test_quality_problem_on_a_received_order_opens_a_ticket(intent, kind):
    decision = quality_decision(order("delivered", delivered=timedelta(days=1)), SHIRT, NOW,
                                POLICY, intent)
    assert (decision.allowed, decision.reason) == (True, f"quality_{kind}")
    assert decision.values["ticket_kind"] == kind


def test_quality_problem_even_past_the_return_window_and_on_excluded_products():
    old = order("completed", delivered=timedelta(days=40))
    assert quality_decision(old, CREAM, NOW, POLICY, "report_allergy").allowed


@pytest.mark.parametrize("status, reason", [
    ("unpaid", "not_delivered"), ("paid", "not_delivered"), ("closed", "order_closed"),
    ("shipped", "quality_damaged"),  # the parcel may arrive before the tracking says so
])
def test_quality_problem_by_order_state(status, reason):
    assert quality_decision(order(status), SHIRT, NOW, POLICY, "report_damaged").reason == reason


def test_quality_ticket_is_not_opened_twice():
    decision = quality_decision(order("delivered"), SHIRT, NOW, POLICY, "report_defect",
                                {"ticket_no": "SH202406150003"})
    assert (decision.reason, decision.values["ticket_no"]) == ("ticket_exists", "SH202406150003")
    assert decision.values["ticket_label"] == "质量"


def test_quality_decision_rejects_other_intents():
    with pytest.raises(ValueError):
        quality_decision(order("delivered"), SHIRT, NOW, POLICY, "greet")


# ---------------------------------------------------------------- size advice


@pytest.fixture(scope="module")
def catalog():
    return {p["id"]: p for p in shop_data.products()}


@pytest.mark.parametrize("height, weight, reason, size", [
    (170, 60, "fit", "L"),
    (168, 58, "fit", "L"),        # shared boundary: the larger size
    (160, 70, "between", "XL"),   # M by height, XL by weight: the larger
    (185, 55, "between", "XXL"),
    (200, 70, "out_of_range", None),
    (150, 95, "out_of_range", None),
])
def test_clothing_size_from_height_and_weight(catalog, height, weight, reason, size):
    advice = products.recommend_size(catalog["P01"], height, weight)
    assert (advice.reason, advice.size) == (reason, size)


def test_between_sizes_tells_both(catalog):
    advice = products.recommend_size(catalog["P01"], 160, 70)
    assert (advice.size_by_height, advice.size_by_weight) == ("M", "XL")


@pytest.mark.parametrize("foot, reason, size", [
    (24.3, "fit", "39"), (24.0, "fit", "39"), (22.0, "fit", "35"), (27.0, "fit", "44"),
    (21.0, "out_of_range", None), (28.5, "out_of_range", None), (None, "need_foot_length", None),
])
def test_shoe_size_from_foot_length(catalog, foot, reason, size):
    advice = products.recommend_size(catalog["P06"], foot_length=foot)
    assert (advice.reason, advice.size) == (reason, size)
    assert advice.chart_range == "脚长22-27cm"


def test_products_without_sizes_and_missing_data(catalog):
    assert products.recommend_size(catalog["P08"], 165, 50).reason == "no_sizes"
    assert products.recommend_size(catalog["P01"], 165, None).reason == "need_measures"
    chartless = {**catalog["P02"], "size_chart": [{"size": "M", "height": "tall"}]}
    assert products.recommend_size(chartless, 170, 60).reason == "no_chart"


def test_gap_in_the_chart_goes_to_the_next_size():
    product = {"kind": "shoes", "sizes": [38, 39],
               "size_chart": [{"size": 38, "foot_length": [23.5, 23.9]},
                              {"size": 39, "foot_length": [24.0, 24.5]}]}
    assert products.recommend_size(product, foot_length=23.95).size == "39"


def test_stock_and_chart_texts(catalog):
    assert products.stock_split(catalog["P01"]) == (["白色", "黑色", "雾霾蓝"], ["灰色"])
    assert products.stock_split(catalog["P12"]) == ([], ["白色", "黑色"])
    chart = products.size_chart_text(catalog["P01"]).split("\n")
    assert chart[1] == "M码：身高160-168cm，体重50-58kg"
    assert products.size_chart_text(catalog["P06"]).split("\n")[0] == "35码：脚长22-22.5cm"
    assert products.to_number("170") == 170.0
    assert products.to_number("nan") is None and products.to_number("高") is None


# ---------------------------------------------------------------- order numbers


@pytest.mark.parametrize("raw, expected", [
    ("4201230001234567890", "4201230001234567890"),
    ("4201 2300 0123 4567 890", "4201230001234567890"),
    ("4201-2300-0123-4567-890", "4201230001234567890"),
    ("４２０１２３０００１２３４５６７８９０", "4201230001234567890"),  # full-width digits
    (4201230001234567890, "4201230001234567890"),
    (["4201230001234567890", "42"], "4201230001234567890"),
    (None, ""),
])
def test_order_numbers_are_normalised(raw, expected):
    assert normalise_order_id(raw) == expected


@pytest.mark.parametrize("value, ok", [
    ("4201230001234567890", True),
    ("3201230001234567890", False),   # wrong prefix
    ("420123000123456789", False),    # 18 digits
    ("42012300012345678901", False),  # 20 digits
    ("42' OR '1'='1", False),
    ("", False),
])
def test_well_formed_order_numbers(value, ok):
    assert is_well_formed(value) is ok


def test_order_number_found_in_free_text():
    assert find_order_number("订单号是 4201 2300 0123 4567 890 谢谢") == "4201230001234567890"
    assert find_order_number("手机13800001111") == "13800001111"
    assert find_order_number("我170 60kg") is None
    assert find_order_number("") is None and find_order_number(None) is None
    assert find_order_number("1" * 5000) == "1" * 500  # long input is cut, not scanned whole

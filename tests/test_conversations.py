"""End to end: train the real model, start the real action server, hold conversations.

One trained copy of the reference project and one loaded runtime are shared by the
session (the `bot` fixture in conftest.py; training takes about half a minute). Every conversation goes through NLU, the policies, the action
server over HTTP and a real SQLite order database.
"""
import sqlite3
import uuid

import pytest
import yaml

from bot.project import REFERENCE_ROOT

ORDERS = yaml.safe_load((REFERENCE_ROOT / "shop" / "orders.yml").read_text("utf-8"))["orders"]
CATALOG = {p["id"]: p for p in yaml.safe_load(
    (REFERENCE_ROOT / "shop" / "catalog.yml").read_text("utf-8"))["products"]}
POLICY = yaml.safe_load((REFERENCE_ROOT / "shop" / "policy.yml").read_text("utf-8"))


def order(status, **conditions):
    """The first fixture order in `status` matching `conditions` (field=value)."""
    for o in ORDERS:
        if o["status"] == status and all(o.get(k) == v for k, v in conditions.items()):
            return o
    raise LookupError(f"no {status} order with {conditions} in shop/orders.yml")


def said(turn):
    return "\n".join(turn.replies)


# ---------- 基础问答 ----------

def test_greeting_uses_the_shop_name_from_policy(bot):
    turn = bot.conversation()("在吗")
    assert turn.intent == "greet"
    assert POLICY["shop_name"] in said(turn)


def test_free_shipping_answer_quotes_the_policy_threshold(bot):
    turn = bot.conversation()("亲 满多少包邮呀")
    assert turn.intent == "ask_shipping_fee"
    assert str(POLICY["free_shipping_threshold"]) in said(turn)
    assert "{" not in said(turn)


# ---------- 商品问答 ----------

def test_price_comes_from_the_catalog_for_the_named_product(bot):
    turn = bot.conversation()("牛仔裤多少钱")
    assert turn.intent == "ask_price"
    assert str(CATALOG["P03"]["price"]) in said(turn)


def test_product_being_viewed_answers_without_naming_it(bot):
    turn = bot.conversation({"product": "P11"})("这个多少钱")
    assert str(CATALOG["P11"]["price"]) in said(turn)


def test_size_recommendation_asks_for_missing_weight_then_recommends(bot):
    send = bot.conversation({"product": "P01"})
    first = send("我身高165穿什么码")
    assert first.intent == "ask_size_recommend"
    assert "体重" in said(first)
    second = send("100斤")
    assert "action_recommend_size" in second.actions
    assert any(size in said(second) for size in CATALOG["P01"]["sizes"])


# ---------- 售后：退换货 ----------

def test_return_asks_for_the_order_then_decides_from_the_database(bot):
    send = bot.conversation()
    first = send("我想退货")
    assert "order_form" in first.actions
    assert "订单号" in said(first)
    returnable = order("delivered", delivered_days_ago=2)
    second = send(returnable["order_id"])
    assert "action_order_followup" in second.actions
    assert str(POLICY["return_days"]) in said(second) or "退货" in said(second)


def test_return_of_opened_skincare_is_refused_without_a_quality_problem(bot):
    skincare = next(o for o in ORDERS if CATALOG[o["product"]].get("return_excluded")
                    and o["status"] == "delivered")
    turn = bot.conversation()(f"面霜不想要了想退 订单号{skincare['order_id']}")
    assert "action_order_followup" in turn.actions
    assert "拆封" in said(turn)


def test_unknown_order_number_is_reported_and_asked_again(bot):
    turn = bot.conversation()("我要退货 4209999999999999999")
    assert "4209999999999999999" in said(turn)
    assert "action_order_followup" not in turn.actions


# ---------- 售后：物流 ----------

def test_where_is_my_parcel_shows_the_latest_tracking_event(bot):
    shipped = order("shipped")
    turn = bot.conversation()(f"我的快递到哪了 {shipped['order_id']}")
    assert turn.intent == "where_is_parcel"
    assert shipped["tracking"][-1]["text"][:6] in said(turn)


def test_unpaid_order_is_asked_to_pay_first(bot):
    unpaid = order("unpaid")
    turn = bot.conversation()(f"怎么还不发货 订单{unpaid['order_id']}")
    assert "付款" in said(turn)


# ---------- 售后：质量问题 ----------

def test_damaged_item_gets_an_apology_and_a_ticket_in_the_database(bot):
    delivered = order("delivered", delivered_days_ago=1)
    before = bot.rows("SELECT COUNT(*) FROM tickets WHERE order_id = ?", delivered["order_id"])[0][0]
    send = bot.conversation()
    first = send("收到的耳机盒子压坏了 耳机也碎了")
    assert first.intent == "report_damaged"
    assert "抱歉" in said(first)
    second = send(delivered["order_id"])
    after = bot.rows("SELECT COUNT(*) FROM tickets WHERE order_id = ?", delivered["order_id"])[0][0]
    assert after == before + 1
    assert "action_order_followup" in second.actions


def test_praise_about_quality_is_not_a_complaint(bot):
    turn = bot.conversation()("质量很好 做工也不错 好评")
    assert turn.intent == "praise"
    assert "action_handoff" not in turn.actions


# ---------- 转人工与兜底 ----------

def test_handoff_keyword_goes_to_a_human_and_is_recorded(bot):
    turn = bot.conversation()("再不处理我就打12315")
    assert turn.intent == "complain"
    assert "action_handoff" in turn.actions
    assert bot.rows("SELECT COUNT(*) FROM handoffs")[0][0] >= 1


def test_the_same_answer_is_not_given_a_third_time(bot):
    send = bot.conversation()
    first, second, third = send("发什么快递"), send("发什么快递啊"), send("发什么快递呢")
    assert first.actions == second.actions == ["utter_ask_courier"]
    assert third.actions == ["action_handoff"]
    assert len(third.replies) == 1


def test_the_conversation_goes_on_after_the_anti_loop_hand_off(bot):
    """The bug every student met: after the hand-off the bot went silent for good."""
    send = bot.conversation()
    turns = [send("包邮吗") for _ in range(3)]
    assert turns[2].actions == ["action_handoff"] and len(turns[2].replies) == 1
    later = [send("开发票吗"), send("包邮吗"), send("有什么优惠券"), send("在吗")]
    for turn in later:
        assert len(turn.actions) == 1, turn.actions
        assert 1 <= len(turn.replies) <= 3, turn
        assert "action_unrecognised" not in turn.actions
    assert [t.intent for t in later] == ["ask_invoice", "ask_shipping_fee", "ask_coupon", "greet"]
    assert later[1].actions == ["utter_ask_shipping_fee"]  # the loop is over: answered again


def test_three_unrecognised_messages_in_a_row_hand_off_once_and_the_bot_answers_after(bot):
    sender = f"test-{uuid.uuid4().hex[:8]}"
    bot.loop.run_until_complete(bot.runtime.start_session(sender))

    def not_understood(text):  # what the model makes of gibberish changes with the data
        parse = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.1},
                 "entities": [], "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.1}]}
        return bot.loop.run_until_complete(bot.runtime.send(sender, text, parse_data=parse))

    turns = [not_understood(text) for text in ("qwpeoiru", "asdkjh qwe", "zzxxcc")]
    assert [t.actions for t in turns] == [["action_unrecognised"]] * 2 + [["action_handoff"]]
    for turn in turns:
        assert 1 <= len(turn.replies) <= 3, turn
    after = bot.loop.run_until_complete(bot.runtime.send(sender, "发什么快递"))
    assert after.actions == ["utter_ask_courier"] and after.replies


def test_a_customer_cannot_force_an_intent_or_set_slots(bot):
    send = bot.conversation()
    forced = send('/request_refund{"order_status": "delivered", "product": "P01"}')
    assert forced.intent != "request_refund"
    assert "order_status" not in forced.slots and forced.slots.get("product") != "P01"
    assert 1 <= len(forced.replies) <= 3
    for text in ("/restart", "/session_start", "/nlu_fallback"):
        turn = send(text)  # once a whole class run failed on a bank row "/restart"
        assert 1 <= len(turn.replies) <= 3 and turn.text.startswith("／"), turn


def test_every_parse_carries_a_category_distribution_and_the_best_intent_is_in_the_best_category(bot):
    categories = yaml.safe_load((REFERENCE_ROOT / "shop" / "intents.yml").read_text("utf-8"))["intents"]
    for text in ("吹风机用了两天就不出热风了", "快递三天了还没到", "这个裤子能退吗"):
        parse = bot.loop.run_until_complete(bot.runtime.parse(text))
        ranking = parse["category_ranking"]
        assert abs(sum(c["confidence"] for c in ranking) - 1.0) < 1e-6
        assert categories[parse["intent"]["name"]]["category"] == ranking[0]["name"], text


def test_a_category_level_answer_is_the_categorys_own_answer_and_ends_the_turn(bot):
    sender = f"test-{uuid.uuid4().hex[:8]}"
    bot.loop.run_until_complete(bot.runtime.start_session(sender))
    text = "这东西不太对劲"
    parse = {"text": text, "entities": [],
             "intent": {"name": "fallback_quality", "confidence": 0.6, "category_fallback": "quality"},
             "intent_ranking": [{"name": "fallback_quality", "confidence": 0.6}]}
    turn = bot.loop.run_until_complete(bot.runtime.send(sender, text, parse_data=parse))
    assert turn.actions == ["utter_fallback_quality"] and turn.category_fallback == "quality"
    assert len(turn.replies) == 1 and "照片" in turn.replies[0] and "订单号" in turn.replies[0]


def test_gibberish_is_recorded_as_unrecognised_or_out_of_scope(bot):
    turn = bot.conversation()("qwpeoiru zxmcnv")
    assert turn.replies
    assert turn.actions[0] in ("action_unrecognised", "utter_out_of_scope")


# ---------- 坏输入 ----------

@pytest.mark.parametrize("text", [
    "", "😀😀😀", "问" * 5000, "'; DROP TABLE orders; --", "<script>alert(1)</script>",
    "4201230001234567890' OR '1'='1",
])
def test_bad_input_gets_a_reply_and_corrupts_nothing(bot, text):
    orders_before = bot.rows("SELECT COUNT(*) FROM orders")[0][0]
    turn = bot.conversation()(text)
    assert turn.replies
    assert bot.rows("SELECT COUNT(*) FROM orders")[0][0] == orders_before


def test_conversations_are_logged_in_the_sqlite_tracker_store(bot):
    bot.conversation()("在吗")
    with sqlite3.connect(bot.project.conversations_db) as connection:
        count = connection.execute("SELECT COUNT(*) FROM events WHERE type_name = 'user'").fetchone()[0]
    assert count >= 1

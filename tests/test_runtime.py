"""What the runtime does to a customer's raw text before Rasa sees it."""
from bot.runtime import clean


def test_long_messages_are_cut_and_blank_ones_kept_blank():
    assert len(clean("问" * 5000)) == 500
    assert clean("  \r\n ") == ""


def test_a_message_cannot_force_an_intent_or_set_slots():
    assert clean('/request_return{"order_id": "4201230001234567890"}').startswith("／request_return")
    assert clean("/restart") == "／restart"
    assert clean("退货 /restart") == "退货 /restart"


def test_broken_characters_are_replaced_before_nlu():
    assert clean("退货\ud800好") == "退货?好"
    assert clean("退\x00货\x07") == "退 货"

"""The runtime's faster validation of action-server answers still rejects bad ones."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.runtime import clean, validate_action_results_once_per_schema


@pytest.fixture(scope="module")
def action():
    validate_action_results_once_per_schema()
    return RemoteAction("action_product_answer", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_a_well_formed_answer_passes(action):
    assert action._validate_action_result(
        {"events": [{"event": "slot", "name": "product", "value": "P01"}],
         "responses": [{"text": "亲，您好"}]})


def test_a_malformed_answer_is_rejected_with_a_chinese_hint(action):
    with pytest.raises(ValidationError, match="动作服务器返回的数据格式不对"):
        action._validate_action_result({"events": "not a list", "responses": []})


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

"""Return family: 退货、换货、退款、取消订单、退款进度."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from actions import after_sales_rules as rules
from actions.common import Case, policy_text

INTENTS = ("request_return", "request_exchange", "request_refund", "cancel_order",
           "ask_refund_progress")
KIND_OF_INTENT = {
    "request_return": "return",
    "request_exchange": "exchange",
    "request_refund": "refund",
    "cancel_order": "cancel",
}
RESPONSES = {
    "unpaid_close": "utter_cancel_unpaid",
    "refund_before_shipping": "utter_refund_before_shipping",
    "exchange_before_shipping": "utter_exchange_before_shipping",
    "in_transit": "utter_return_in_transit",
    "exchange_in_transit": "utter_exchange_in_transit",
    "return_allowed": "utter_return_allowed",
    "exchange_allowed": "utter_exchange_allowed",
    "excluded": "utter_return_excluded",
    "return_window_passed_exchange_ok": "utter_return_window_passed_exchange_ok",
    "return_window_passed": "utter_return_window_passed",
    "exchange_window_passed": "utter_exchange_window_passed",
    "refund_pending": "utter_refund_pending",
    "refund_agreed": "utter_refund_agreed",
    "refund_returning": "utter_refund_returning",
    "refund_refunding": "utter_refund_refunding",
    "refund_completed": "utter_refund_completed",
    "no_refund": "utter_no_refund",
}


def handle(case: Case) -> List[Dict[Text, Any]]:
    refunds = case.store.refunds_for(case.order_id)
    if case.intent == "ask_refund_progress":
        decision = rules.refund_progress(case.order, case.product, refunds, case.policy)
    else:
        decision = rules.return_decision(
            case.order, case.product, case.now, case.policy, KIND_OF_INTENT[case.intent], refunds
        )
    if decision.reason == "order_closed":
        return case.say_status()
    case.say(
        RESPONSES[decision.reason],
        **decision.values,
        return_address=policy_text("return_address"),
        shipping_insurance=policy_text("shipping_insurance"),
    )
    return []

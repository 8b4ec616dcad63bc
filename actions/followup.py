"""action_order_followup: after order_form, answer the request the customer came with.

The requests come in three families, each answered by one function here from the
decision of after_sales_rules:
  returns      退货、换货、退款、取消订单、退款进度
  logistics    查物流、催发货、改地址、签收未收到
  quality      破损、质量问题、发错货、假货、过敏 (opens a ticket)
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import after_sales_rules as rules
from actions import shop_data, timeutil
from actions.common import Case, database_guard, first, policy_text
from actions.order_form import is_well_formed, normalise_order_id
from actions.store import OrderStore

# ---------------------------------------------------------------- returns

KIND_OF_INTENT = {"request_return": "return", "request_exchange": "exchange",
                  "request_refund": "refund", "cancel_order": "cancel"}
RETURN_INTENTS = (*KIND_OF_INTENT, "ask_refund_progress")
RETURN_RESPONSES = {
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


def handle_return(case: Case) -> List[Dict[Text, Any]]:
    refunds = case.store.refunds_for(case.order_id)
    if case.intent == "ask_refund_progress":
        decision = rules.refund_progress(case.order, case.product, refunds, case.policy)
    else:
        decision = rules.return_decision(case.order, case.product, case.now, case.policy,
                                         KIND_OF_INTENT[case.intent], refunds)
    if decision.reason == "order_closed":
        return case.say_status()
    return case.answer(decision, RETURN_RESPONSES, return_address=policy_text("return_address"),
                       shipping_insurance=policy_text("shipping_insurance"))


# ---------------------------------------------------------------- logistics

TICKET_OF_INTENT = {"change_address": "address_change", "delivered_not_received": "not_received"}
# These reasons are plain order states: the conditional response utter_order_status
# (or the overdue apology) answers them.
STATUS_REASONS = ("order_closed", "pay_first", "ship_pending", "ship_overdue", "in_transit",
                  "delivered")
LOGISTICS_RESPONSES = {
    "change_address_self": "utter_change_address_self",
    "change_address_before_shipping": "utter_change_address_noted",
    "change_address_shipped": "utter_change_address_shipped",
    "change_address_delivered": "utter_change_address_delivered",
    "not_received_ticket": "utter_not_received_ticket",
    "ticket_exists": "utter_ticket_exists",
}


def handle_logistics(case: Case) -> List[Dict[Text, Any]]:
    ticket_kind = TICKET_OF_INTENT.get(case.intent)
    existing = case.store.open_ticket_for(case.order_id, ticket_kind) if ticket_kind else None
    decision = case.logistics(case.intent, existing)
    if decision.reason in STATUS_REASONS:
        return case.say_status()
    return case.answer(decision, LOGISTICS_RESPONSES)


# ---------------------------------------------------------------- quality

QUALITY_RESPONSES = {f"quality_{kind}": f"utter_quality_{kind}"
                     for kind in rules.QUALITY_TICKETS.values()}
QUALITY_RESPONSES["ticket_exists"] = "utter_ticket_exists"


def handle_quality(case: Case) -> List[Dict[Text, Any]]:
    """Apologise, offer the remedies and open a ticket."""
    existing = case.store.open_ticket_for(case.order_id, rules.QUALITY_TICKETS[case.intent])
    decision = rules.quality_decision(case.order, case.product, case.now, case.policy,
                                      case.intent, existing)
    if decision.reason == "order_closed":
        return case.say_status()
    if decision.reason == "not_delivered":
        events = case.say_status()
        case.say("utter_quality_not_delivered", **decision.values)
        return events
    return case.answer(decision, QUALITY_RESPONSES)


# ---------------------------------------------------------------- the action

# Task intent -> the family function that handles it.
FAMILIES: Dict[Text, Callable[[Case], List[Dict[Text, Any]]]] = {
    **{intent: handle_return for intent in RETURN_INTENTS},
    **{intent: handle_logistics for intent in rules.LOGISTICS_KINDS},
    **{intent: handle_quality for intent in rules.QUALITY_TICKETS},
}


def task_intent(tracker: Tracker) -> Optional[Text]:
    """The latest user intent that asked for something about an order.

    The message that completed the form is usually just the order number (inform), so
    the request is found further back: "我要退货" -> order_form -> "4201..." -> here.
    """
    intents = (((event.get("parse_data") or {}).get("intent") or {}).get("name")
               for event in reversed(tracker.events or []) if event.get("event") == "user")
    return next((name for name in intents if name in FAMILIES), None)


class ActionOrderFollowup(Action):
    def name(self) -> Text:
        return "action_order_followup"

    @database_guard
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        order_id = normalise_order_id(first(tracker.get_slot("order_id")))
        if not is_well_formed(order_id):
            dispatcher.utter_message(response="utter_ask_order_id")
            return []
        store = OrderStore()
        order = store.get_order(order_id)
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None), SlotSet("order_status", None)]

        product = shop_data.product_by_id(order["product_id"])
        intent = task_intent(tracker)
        if intent is None:
            values = rules.order_values(order, product)
            dispatcher.utter_message(response="utter_order_found", **values)
            return [SlotSet("order_status", order["status"])]
        return FAMILIES[intent](Case(intent, order, product, store, dispatcher, tracker,
                                     timeutil.now(), shop_data.policy()))

"""Logistics family: 查物流、催发货、改地址、显示签收但没收到."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from actions import after_sales_rules as rules
from actions.common import Case

INTENTS = rules.LOGISTICS_KINDS
TICKET_OF_INTENT = {"change_address": "address_change", "delivered_not_received": "not_received"}
# These reasons are plain order states: the conditional response utter_order_status
# (or the overdue apology) answers them.
STATUS_REASONS = ("order_closed", "pay_first", "ship_pending", "ship_overdue", "in_transit",
                  "delivered")
RESPONSES = {
    "change_address_self": "utter_change_address_self",
    "change_address_before_shipping": "utter_change_address_noted",
    "change_address_shipped": "utter_change_address_shipped",
    "change_address_delivered": "utter_change_address_delivered",
    "not_received_ticket": "utter_not_received_ticket",
    "ticket_exists": "utter_ticket_exists",
}


def handle(case: Case) -> List[Dict[Text, Any]]:
    ticket_kind = TICKET_OF_INTENT.get(case.intent)
    existing = case.store.open_ticket_for(case.order_id, ticket_kind) if ticket_kind else None
    decision = rules.logistics_decision(
        case.order, case.product, case.store.tracking_events(case.order_id),
        case.now, case.policy, case.intent, existing,
    )
    if decision.reason in STATUS_REASONS:
        return case.say_status()
    values = dict(decision.values)
    if decision.allowed and "ticket_kind" in values:
        values["ticket_no"] = case.open_ticket(values["ticket_kind"])["ticket_no"]
    case.say(RESPONSES[decision.reason], **values)
    return []

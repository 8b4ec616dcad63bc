"""Quality family: 破损、质量问题、发错货、怀疑假货、过敏 -> apologise, remedies, ticket."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from actions import after_sales_rules as rules
from actions.common import Case

INTENTS = tuple(rules.QUALITY_TICKETS)
RESPONSES = {f"quality_{kind}": f"utter_quality_{kind}" for kind in rules.QUALITY_TICKETS.values()}


def handle(case: Case) -> List[Dict[Text, Any]]:
    ticket_kind = rules.QUALITY_TICKETS[case.intent]
    decision = rules.quality_decision(
        case.order, case.product, case.now, case.policy, case.intent,
        case.store.open_ticket_for(case.order_id, ticket_kind),
    )
    if decision.reason == "order_closed":
        return case.say_status()
    if decision.reason == "not_delivered":
        events = case.say_status()
        case.say("utter_quality_not_delivered", **decision.values)
        return events
    if decision.reason == "ticket_exists":
        case.say("utter_ticket_exists", **decision.values)
        return []
    ticket = case.open_ticket(ticket_kind)
    case.say(RESPONSES[decision.reason], **decision.values, ticket_no=ticket["ticket_no"])
    return []

"""action_handoff (转人工) and action_unrecognised (没听懂)."""
from __future__ import annotations

import logging
import sqlite3
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_intent, latest_text, policy_text
from actions.store import OrderStore

logger = logging.getLogger(__name__)

# Hand-off reason by the intent that led to it; any other intent means the bot could
# not resolve the question (e.g. the anti-loop policy stopped a repeated answer).
HANDOFF_REASONS = {"complain": "complaint", "request_human": "customer_request"}
HANDOFF_RESPONSES = {"complaint": "utter_handoff_complaint",
                     "customer_request": "utter_handoff_request",
                     "unresolved": "utter_handoff_unresolved"}


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        intent = latest_intent(tracker)
        reason = HANDOFF_REASONS.get(intent or "", "unresolved")
        try:
            OrderStore().record_handoff(tracker.sender_id, reason, intent, latest_text(tracker))
        except (sqlite3.Error, OSError):  # the customer still gets the human
            logger.exception("转人工记录写入失败")
        dispatcher.utter_message(response=HANDOFF_RESPONSES[reason],
                                 service_hours=policy_text("service_hours", "每天 9:00-23:00"))
        if (tracker.active_loop or {}).get("name"):
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        return []


def best_guess(latest_message: Dict[Text, Any]) -> Tuple[Optional[Text], Optional[float]]:
    """The classifier's best real intent (the ranking without nlu_fallback)."""
    for item in latest_message.get("intent_ranking") or []:
        if isinstance(item, dict) and item.get("name") and item["name"] != "nlu_fallback":
            return item["name"], item.get("confidence")
    return None, None


class ActionUnrecognised(Action):
    def name(self) -> Text:
        return "action_unrecognised"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        top_intent, top_confidence = best_guess(message)
        try:
            OrderStore().record_unrecognised(
                tracker.sender_id, latest_text(tracker), intent.get("name"),
                _number(intent.get("confidence")), top_intent, _number(top_confidence),
            )
        except (sqlite3.Error, OSError):
            logger.exception("没听懂的问题写入失败")
        dispatcher.utter_message(response="utter_unrecognised")
        return []


def _number(value: Any) -> Optional[float]:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None

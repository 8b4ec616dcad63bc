"""A trained bot loaded in this process, talking to a running action server.

Used by the chat shell, the grader and the integration tests: one way to hold a
conversation and see what the bot understood and did in each turn.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot import console

# Longer messages are cut before NLU: nobody types more, and it keeps replies fast.
MAX_MESSAGE_CHARS = 500


@dataclass
class Turn:
    """What happened after one customer message."""

    text: str
    replies: List[str]
    intent: Optional[str]
    confidence: float
    entities: List[Dict[str, Any]]
    actions: List[str]
    slots: Dict[str, Any] = field(default_factory=dict)
    ranking: List[Dict[str, Any]] = field(default_factory=list)


class BotRuntime:
    def __init__(self, model: Path, action_url: str, conversations_db: Path) -> None:
        self.model = model
        self.action_url = action_url
        self.conversations_db = conversations_db
        self.agent = None

    async def load(self) -> "BotRuntime":
        import logging

        from rasa.core.agent import load_agent
        from rasa.core.utils import AvailableEndpoints
        from rasa.utils.endpoints import EndpointConfig

        logging.getLogger("rasa").setLevel(logging.ERROR)
        endpoints = AvailableEndpoints(
            action=EndpointConfig(url=self.action_url),
            tracker_store=EndpointConfig(type="SQL", dialect="sqlite",
                                         db=str(self.conversations_db)),
        )
        self.agent = await load_agent(model_path=str(self.model), endpoints=endpoints)
        if not self.agent.is_ready():
            raise RuntimeError(f"模型无法加载：{self.model}")
        return self

    async def start_session(self, sender_id: str, context: Optional[Dict[str, str]] = None) -> None:
        """Open the conversation; `context` is the test window: product page and order."""
        await self.agent.processor.fetch_tracker_with_initial_session(
            sender_id, metadata={k: v for k, v in (context or {}).items() if v}
        )

    async def set_slot(self, sender_id: str, name: str, value: Any) -> None:
        from rasa.shared.core.events import SlotSet

        tracker = await self.agent.processor.fetch_tracker_and_update_session(sender_id)
        tracker.update(SlotSet(name, value), self.agent.domain)
        await self.agent.processor.save_tracker(tracker)

    async def restart(self, sender_id: str) -> None:
        from rasa.shared.core.events import Restarted

        tracker = await self.agent.processor.get_tracker(sender_id)
        tracker.update(Restarted(), self.agent.domain)
        await self.agent.processor.save_tracker(tracker)

    async def parse(self, text: str) -> Dict[str, Any]:
        return await self.agent.parse_message(clean(text))

    async def send(self, sender_id: str, text: str) -> Turn:
        from rasa.shared.core.events import ActionExecuted, UserUttered

        text = clean(text)
        responses = await self.agent.handle_text(text, sender_id=sender_id) or []
        tracker = await self.agent.processor.get_tracker(sender_id)
        events = list(tracker.events)
        last_user = max(i for i, e in enumerate(events) if isinstance(e, UserUttered))
        user = events[last_user]
        actions = [e.action_name for e in events[last_user + 1:]
                   if isinstance(e, ActionExecuted) and e.action_name != "action_listen"]
        return Turn(
            text=text,
            replies=[r["text"] for r in responses if r.get("text")],
            intent=user.intent.get("name"),
            confidence=float(user.intent.get("confidence") or 0.0),
            entities=list(user.entities),
            actions=actions,
            slots={k: v for k, v in tracker.current_slot_values().items() if v is not None},
            ranking=list(user.parse_data.get("intent_ranking") or []),
        )


def clean(text: str) -> str:
    """Normalise raw input: strip, cut very long messages, keep something to parse."""
    text = (text or "").replace("\r", " ").strip()
    if len(text) > MAX_MESSAGE_CHARS:
        console.info(f"（消息太长，只取前 {MAX_MESSAGE_CHARS} 个字）")
        text = text[:MAX_MESSAGE_CHARS]
    return text

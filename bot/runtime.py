"""A trained bot loaded in this process, talking to a running action server.

Used by the chat shell, the grader and the integration tests: one way to hold a
conversation and see what the bot understood and did in each turn.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from bot import console, rasa_patches

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
    # The category whose 类别兜底 answer the bot gave (components/category_fallback.py).
    category_fallback: Optional[str] = None


@dataclass
class Candidate:
    """One suggestion in 智能辅助 mode."""

    intent: str
    confidence: float
    action: str
    answer: Optional[str]
    parse_data: Dict[str, Any]

    @property
    def shown(self) -> str:
        """What the operator sees for this suggestion."""
        return self.answer or f"（由动作 {self.action} 按订单或商品数据生成）"


def sqlite_tracker_store(conversations_db: Path):
    """The embedded tracker store every command shares: Rasa's SQLTrackerStore on SQLite."""
    from rasa.utils.endpoints import EndpointConfig

    return EndpointConfig(type="SQL", dialect="sqlite", db=str(conversations_db))


class BotRuntime:
    def __init__(self, model: Path, action_url: str, conversations_db: Path,
                 action_endpoint: Any = None) -> None:
        self.model = model
        self.action_url = action_url
        self.action_endpoint = action_endpoint  # an EndpointConfig instead of the URL
        self.conversations_db = conversations_db
        self.agent = None

    @classmethod
    def around(cls, agent) -> "BotRuntime":
        """A runtime over an agent Rasa's server has already loaded."""
        runtime = cls(Path(agent.processor.model_filename or ""), "", Path())
        runtime.agent = agent
        return runtime

    def load_blocking(self, verbose: bool = False) -> "BotRuntime":
        """Import Rasa and load the model (seconds of work; safe in a worker thread)."""
        from rasa.core.agent import Agent
        from rasa.core.tracker_store import TrackerStore
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.endpoints import EndpointConfig
        from rasa.utils.log_utils import configure_structlog

        # Rasa's own logs stay out of the user's way unless asked for.
        level = logging.DEBUG if verbose else logging.ERROR
        configure_logging_and_warnings(level)
        configure_structlog(level)
        tracker_store = TrackerStore.create(sqlite_tracker_store(self.conversations_db))
        rasa_patches.for_conversations()
        self.agent = Agent.load(str(self.model), tracker_store=tracker_store,
                                action_endpoint=self.action_endpoint or EndpointConfig(url=self.action_url))
        if not self.agent.is_ready():
            raise RuntimeError(f"模型无法加载：{self.model}")
        return self

    async def load(self, verbose: bool = False) -> "BotRuntime":
        return self.load_blocking(verbose)

    async def start_session(self, sender_id: str, context: Optional[Dict[str, str]] = None) -> None:
        """Open the conversation; `context` is the test window: product page and order."""
        await self._append(sender_id, partial(self.agent.processor.fetch_tracker_with_initial_session,
                                              metadata={k: v for k, v in (context or {}).items() if v}))

    async def _append(self, sender_id: str, fetch: Callable, *events) -> None:
        """Add `events` to the conversation `fetch(sender_id)` returns, and save it."""
        async with self.agent.lock_store.lock(sender_id):
            tracker = await fetch(sender_id)
            for event in events:
                tracker.update(event, self.agent.domain)
            await self.agent.processor.save_tracker(tracker)

    async def set_slot(self, sender_id: str, name: str, value: Any) -> None:
        from rasa.shared.core.events import SlotSet

        await self._append(sender_id, self.agent.processor.fetch_tracker_and_update_session,
                           SlotSet(name, value))

    async def restart(self, sender_id: str) -> None:
        from rasa.shared.core.events import Restarted

        await self._append(sender_id, self.agent.processor.get_tracker, Restarted())

    async def parse(self, text: str) -> Dict[str, Any]:
        return await self.agent.parse_message(clean(text))

    async def candidates(self, sender_id: str, text: str, top: int = 3) -> List[Candidate]:
        """智能辅助: the top intents for `text` and what the bot would answer for each.

        Nothing is saved: each candidate is tried on a copy of the conversation.
        """
        from rasa.shared.core.events import UserUttered

        parse = await self.parse(text)
        tracker = await self.agent.processor.fetch_tracker_and_update_session(sender_id)
        result = []
        for ranked in (parse.get("intent_ranking") or [])[:top]:
            trial = tracker.copy()
            forced = dict(parse, intent=ranked)
            trial.update(UserUttered(parse["text"], ranked, parse.get("entities"), forced),
                         self.agent.domain)
            action, _ = self.agent.processor.predict_next_with_tracker_if_should(trial)
            answer = await self.agent.processor.nlg.generate(action.name(), trial, "cmdline") \
                if action.name().startswith("utter_") else None
            result.append(Candidate(
                intent=ranked["name"], confidence=float(ranked.get("confidence") or 0.0),
                action=action.name(), answer=(answer or {}).get("text"), parse_data=forced))
        return result

    async def log_own_reply(self, sender_id: str, text: str, reply: str) -> None:
        """The agent answered `text` with their own words: keep both in the log."""
        from rasa.shared.core.events import BotUttered, UserUttered

        parse = await self.parse(text)
        await self._append(sender_id, self.agent.processor.fetch_tracker_and_update_session,
                           UserUttered(parse["text"], parse["intent"], parse.get("entities"), parse),
                           BotUttered(reply, metadata={"assist": "own_reply"}))

    async def send(self, sender_id: str, text: str,
                   parse_data: Optional[Dict[str, Any]] = None) -> Turn:
        """Handle one customer message; `parse_data` forces what the bot understood."""
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
        from rasa.shared.core.events import ActionExecuted, UserUttered

        text = clean(text)
        output = CollectingOutputChannel()
        await self.agent.handle_message(UserMessage(text, output, sender_id, parse_data=parse_data))
        tracker = await self.agent.processor.get_tracker(sender_id)
        events = list(tracker.events)
        last_user = max(i for i, e in enumerate(events) if isinstance(e, UserUttered))
        user = events[last_user]
        actions = [e.action_name for e in events[last_user + 1:]
                   if isinstance(e, ActionExecuted) and e.action_name != "action_listen"]
        return Turn(
            text=text, replies=[r["text"] for r in output.messages if r.get("text")],
            intent=user.intent.get("name"), confidence=float(user.intent.get("confidence") or 0.0),
            entities=list(user.entities), actions=actions,
            slots={k: v for k, v in tracker.current_slot_values().items() if v is not None},
            ranking=list(user.parse_data.get("intent_ranking") or []),
            category_fallback=user.intent.get("category_fallback"))


# Rasa reads a message starting with "/" as `/intent{"slot": value}`: a customer could
# force any intent and set slots such as order_id. A customer's text is only text, so
# a leading "/" is stored as the full-width "／" (the shell's own /commands never get here).
INTENT_PREFIX, INTENT_PREFIX_AS_TEXT = "/", "／"
CONTROL_AS_SPACE = {code: " " for code in [*range(32), 127]}


def clean(text: str) -> str:
    """Normalise raw input: strip, cut very long messages, keep something to parse.

    Characters no encoder can write (lone surrogates from broken input) become "?",
    NUL and other control characters become spaces: NLU and the SQL stores never see them.
    """
    text = (text or "").encode("utf-8", "replace").decode("utf-8")
    text = text.translate(CONTROL_AS_SPACE).strip()
    if text.startswith(INTENT_PREFIX):
        text = INTENT_PREFIX_AS_TEXT + text[len(INTENT_PREFIX):]
    if len(text) > MAX_MESSAGE_CHARS:
        console.info(f"（消息太长，只取前 {MAX_MESSAGE_CHARS} 个字）")
        text = text[:MAX_MESSAGE_CHARS]
    return text

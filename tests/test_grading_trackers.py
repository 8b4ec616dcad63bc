"""The grader's tracker store against Rasa's InMemoryTrackerStore: same conversations back."""
import asyncio

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.grading.trackers import KeptTrackerStore

DOMAIN = Domain.from_dict({"intents": ["greet"], "slots": {"product": {
    "type": "text", "mappings": [{"type": "custom"}]}}})


def _session(text):
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
            UserUttered(text, {"name": "greet", "confidence": 1.0}), SlotSet("product", text)]


def _stored_and_back(store, events):
    async def run():
        await store.save(DialogueStateTracker.from_events("s1", events, DOMAIN.slots))
        return (await store.retrieve("s1"), await store.retrieve_full_tracker("s1"),
                await store.retrieve("nobody"), list(await store.keys()))
    return asyncio.run(run())


def test_conversations_come_back_as_from_rasas_in_memory_store():
    for events in (_session("在吗"), _session("在吗") + _session("还在吗")):
        ours = _stored_and_back(KeptTrackerStore(DOMAIN), events)
        rasas = _stored_and_back(InMemoryTrackerStore(DOMAIN), events)
        for mine, theirs in zip(ours[:2], rasas[:2]):
            assert [e.as_dict() for e in mine.events] == [e.as_dict() for e in theirs.events]
            assert mine.current_slot_values() == theirs.current_slot_values()
        assert ours[2] is None and rasas[2] is None and ours[3] == rasas[3] == ["s1"]
    # The last session only: the second message's conversation, not the first's.
    assert [e.text for e in ours[0].events if isinstance(e, UserUttered)] == ["还在吗"]

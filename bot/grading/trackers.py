"""Where the grading worker keeps its conversations: in memory, as the objects Rasa made.

Every bank question is a fresh conversation thrown away after one turn. Rasa's
InMemoryTrackerStore writes each tracker to JSON on save and rebuilds it on retrieve: on
the reference about a fifth of a graded question (py-spy on a warm grade: serialise,
deserialise, json). Like it, a retrieve returns only the last session. Imported by the
grading worker only: it imports Rasa.
"""
from __future__ import annotations

from typing import Dict, Iterable, Optional

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions


class KeptTrackerStore(TrackerStore):
    """Conversations kept as tracker objects for one grading run (no event broker)."""

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self._trackers: Dict[str, DialogueStateTracker] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._trackers[tracker.sender_id] = tracker

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        tracker = self._trackers.get(sender_id)
        if tracker is None:
            return None
        sessions = get_trackers_for_conversation_sessions(tracker)
        return sessions[-1] if len(sessions) > 1 else tracker

    async def retrieve_full_tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return self._trackers.get(sender_id)

    async def keys(self) -> Iterable[str]:
        return self._trackers.keys()

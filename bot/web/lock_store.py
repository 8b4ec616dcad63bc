"""Rasa's RedisLockStore with every ticket change made in one Redis transaction.

Rasa 3.6's RedisLockStore issues and returns tickets with a separate GET and SET:
two `dxm serve` processes taking a ticket for the same conversation at the same
moment can both read the old lock, and the later SET drops the other's ticket, so
both handle the conversation at once and one message is lost (tests/test_serve_shared.py
caught it). Here each change is a WATCH/MULTI transaction that retries on conflict.
Loaded by Rasa as a custom lock store (`type: bot.web.lock_store.AtomicRedisLockStore`).
"""
from __future__ import annotations

import json
from typing import Callable, Optional, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change(self, conversation_id: str,
                change: Callable[[Optional[TicketLock]], Tuple[T, Optional[TicketLock]]]) -> T:
        """Apply `change` to the stored lock atomically; a returned None lock deletes it."""
        key = self.key_prefix + conversation_id

        def attempt(pipe) -> T:
            stored = pipe.get(key)
            result, lock = change(TicketLock.from_dict(json.loads(stored)) if stored else None)
            pipe.multi()
            if lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]):
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._change(conversation_id, issue)
        except Exception as error:
            raise LockError(f"对话锁（Redis）出错，无法处理对话 {conversation_id}：{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: Optional[TicketLock]):
            if lock:
                lock.remove_expired_tickets()
            return None, lock

        self._change(conversation_id, drop_expired)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]):
            if lock:
                lock.remove_ticket_for(ticket_number)
            return None, lock if lock and lock.is_someone_waiting() else None

        self._change(conversation_id, finish)

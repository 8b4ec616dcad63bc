"""What the parent hands a grading worker (Job) and what comes back (Result): the same
two types on every backend (the local pool sends them as a line of ASCII JSON, so a path
that is not valid UTF-8, lone surrogates, crosses unharmed; the cluster pickles them),
so report.json, built from a Result, is the same whichever backend produced it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional


class _Json:
    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> Any:
        """The fields of the class found in DATA (others, such as "type", are ignored)."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})

    def to_json(self) -> Dict[str, Any]:
        """The fields, shared, not copied: what json.dumps reads from asdict's deep copy
        (the fields hold plain dicts and lists), without copying 751 questions a job."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Job(_Json):
    """One project to grade: its data, the bank, the scenarios, where files go."""

    key: str
    name: str
    root: str            # the project's folder
    scratch: str         # this run's scratch folder for the project (logs, order database)
    store: str           # the model store (models named by their training inputs' fingerprint)
    questions: List[Dict[str, Any]]
    scenarios: List[Dict[str, Any]]
    rubric: Optional[str] = None
    student_code: bool = False
    concurrency: int = 4


@dataclass
class Result(_Json):
    """How one project went. `final` is False when the worker never finished the job
    (killed for time or memory, crashed): such a result is not kept for a rerun."""

    key: str
    ok: bool = False
    stage: Optional[str] = None
    error: Optional[str] = None
    static: Optional[Dict[str, Any]] = None
    model: Optional[str] = None
    reused_model: Optional[bool] = None
    scenarios: Dict[str, Any] = field(default_factory=dict)
    questions: Dict[str, Any] = field(default_factory=dict)
    timings: Dict[str, float] = field(default_factory=dict)
    train_log: Optional[str] = None
    worker: str = ""      # which worker graded it (progress line)
    final: bool = True

    def to_json(self) -> Dict[str, Any]:
        return {"type": "result", **super().to_json()}


class ClusterError(Exception):
    """The cluster backend cannot be reached, or is gone: the message says what to do."""

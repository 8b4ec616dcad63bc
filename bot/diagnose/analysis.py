"""The figures of a seller's 数据分析 page and the questions to improve, as one dict: the
report (JSON-ready) is the source of truth; text.py, html.py and export.py render it."""
from __future__ import annotations

import datetime as _dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from bot.diagnose import similarity
from bot.diagnose.log import ConversationLog, Message
from bot.project_files import (Example, IntentCatalog, intent_places, read_intent_catalog, read_training_data,
                               reference_catalog)
from bot.textsim import normalise

DEFAULT_MIN_CONFIDENCE = 0.4

# What counts as "not understood" and "handed to a human" in the log.
FALLBACK_INTENTS = {"nlu_fallback"}
FALLBACK_ACTIONS = {"action_unrecognised", "action_default_fallback", "action_two_stage_fallback"}
HANDOFF_ACTIONS = {"action_handoff"}
# Why a conversation was handed to a human, by the intent of the message that asked.
HANDOFF_REASONS = {"request_human": "顾客要求转人工", "complain": "投诉或情绪激动"}

# A suggestion is exported when its score reaches ACCEPT_SCORE; it is "较大" (likely)
# with STRONG_SCORE and a lead of STRONG_MARGIN over the runner-up.
ACCEPT_SCORE = 0.15
STRONG_SCORE = 0.3
STRONG_MARGIN = 0.08

# At most this many different questions are grouped (the most asked): grouping
# compares every pair, and a class's log rarely has more.
MAX_QUESTIONS = 3000

# Kinds of listed question, most serious first.
UNRECOGNISED = "unrecognised"      # nlu_fallback: the model did not know the intent
CORE_FALLBACK = "core_fallback"    # an intent, but the dialogue fell back (action_unrecognised)
LOW_CONFIDENCE = "low_confidence"  # answered, with a confidence below --min-confidence
KIND_ORDER = [UNRECOGNISED, CORE_FALLBACK, LOW_CONFIDENCE]


@dataclass
class TrainingData:
    """The project's NLU examples, for nearest-example suggestions and duplicates."""

    examples: List[Example]
    broken: List[str]       # files that are not valid YAML

    def __post_init__(self) -> None:
        # normalised as the log's questions are
        self.texts = [normalise(e.text, numbers="drop") for e in self.examples]
        self.intents = [e.intent for e in self.examples]
        # normalised text -> the intent of the first training example with it
        self.first_intent = dict(zip(reversed(self.texts), reversed(self.intents)))


def classify(message: Message) -> str:
    if message.intent in FALLBACK_INTENTS or not message.intent:
        return "nlu_fallback"
    if any(action in FALLBACK_ACTIONS for action in message.actions):
        return "core_fallback"
    return "recognised"


def handoff_reason(message: Message, status: str) -> str:
    other = "没听懂后转人工" if status != "recognised" else "其他（如同一个答案已连续给了两次）"
    return HANDOFF_REASONS.get(message.intent, other)


def rate(part: int, whole: int) -> Optional[float]:
    return None if whole == 0 else part / whole


def _time(timestamp: Optional[float]) -> Optional[str]:
    return _dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M") if timestamp else None


@dataclass
class Question:
    """Messages with the same normalised text."""

    key: str
    texts: Counter
    kind: str
    count: int = 0
    senders: set = field(default_factory=set)
    confidences: List[float] = field(default_factory=list)
    ranking: Dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, message: Message, kind: str) -> None:
        self.texts[message.text] += 1
        self.count += 1
        self.senders.add(message.sender_id)
        if KIND_ORDER.index(kind) < KIND_ORDER.index(self.kind):
            self.kind = kind
        if kind != UNRECOGNISED:
            self.confidences.append(message.confidence)
        for name, confidence in message.ranking:
            if name not in FALLBACK_INTENTS:
                self.ranking[name] += confidence

    @property
    def text(self) -> str:
        return self.texts.most_common(1)[0][0]


def collect_questions(messages: List[Message], statuses: List[str],
                      min_confidence: float) -> Tuple[List[Question], int]:
    """The unrecognised and low-confidence messages, merged by normalised text.
    Also returns how many such messages had nothing but emoji or punctuation."""
    questions: Dict[str, Question] = {}
    symbols_only = 0
    for message, status in zip(messages, statuses):
        kind = {"nlu_fallback": UNRECOGNISED, "core_fallback": CORE_FALLBACK}.get(status)
        if kind is None and message.confidence < min_confidence:
            kind = LOW_CONFIDENCE
        if kind is None:
            continue
        key = normalise(message.text, numbers="drop")
        if not key:
            symbols_only += 1
            continue
        questions.setdefault(key, Question(key=key, texts=Counter(), kind=kind)).add(message, kind)
    return list(questions.values()), symbols_only


class Suggester:
    """Suggests an intent for a group from the model's ranking and the nearest examples."""

    def __init__(self, root: Path, catalog: IntentCatalog, training: TrainingData,
                 questions: List[Question]) -> None:
        self.catalog, self.training = catalog, training
        ranked = {name for q in questions for name in q.ranking}
        self.intents = sorted((set(catalog.intents) | set(training.intents) | ranked) - FALLBACK_INTENTS)
        self.places = intent_places(root, catalog, self.intents)
        self.vectoriser = similarity.Vectoriser(training.texts + [q.key for q in questions])
        self.example_vectors = self.vectoriser.transform(training.texts)
        self.question_vectors = self.vectoriser.transform([q.key for q in questions])
        self.example_scores = similarity.intent_similarity(
            self.question_vectors, self.example_vectors, training.intents, self.intents)

    def intent_entry(self, intent: Optional[str]) -> Optional[Dict[str, Any]]:
        if not intent:
            return None
        info = self.catalog.intents.get(intent)
        return {"intent": intent, "standard": info.standard if info else None,
                "category": info.category if info else None, "category_label": self.catalog.label_of(intent)}

    def combined(self, members: List[int], questions: List[Question]):
        """Score of every intent for these questions: the model's mean ranking and the
        nearest examples, weighted by how often each question was asked."""
        weights = np.array([questions[i].count for i in members], dtype=float)
        weights /= weights.sum()
        has_ranking = any(questions[i].ranking for i in members)
        model = np.zeros(len(self.intents))
        for weight, i in zip(weights, members):
            ranking = questions[i].ranking   # summed over the question's messages: the mean divides by the count
            model += weight * np.array([ranking.get(name, 0.0) / questions[i].count for name in self.intents])
        examples = (weights[:, None] * self.example_scores[members]).sum(axis=0)
        if has_ranking and self.training.texts:
            return similarity.MODEL_WEIGHT * model + (1 - similarity.MODEL_WEIGHT) * examples, model
        return (model if has_ranking else examples), (model if has_ranking else None)

    def confident_intent(self, index: int, questions: List[Question]) -> Optional[str]:
        """The intent one question would be exported under, if any."""
        scores, _ = self.combined([index], questions)
        if not len(self.intents) or scores.max() < ACCEPT_SCORE:
            return None
        return self.intents[int(scores.argmax())]

    def suggest(self, members: List[int], questions: List[Question]) -> Dict[str, Any]:
        combined, model = self.combined(members, questions)
        if not len(self.intents) or combined.max() <= 0:
            return {"intent": None, "score": 0.0, "strength": "无", "accepted": False, "evidence": {}}
        order = np.argsort(-combined, kind="stable")
        best, second = int(order[0]), (int(order[1]) if len(order) > 1 else None)
        score = float(combined[best])
        margin = score - (float(combined[second]) if second is not None else 0.0)
        strong = score >= STRONG_SCORE and margin >= STRONG_MARGIN
        strength = "较大" if strong else "一般" if score >= ACCEPT_SCORE else "较小"
        intent = self.intents[best]
        evidence: Dict[str, Any] = {}
        if model is not None:
            top = int(np.argmax(model))
            evidence["model"] = {"intent": self.intents[top], "confidence": round(float(model[top]), 3)}
        if self.training.texts:
            similarities = (self.question_vectors[members] @ self.example_vectors.T).toarray()
            row, column = np.unravel_index(int(similarities.argmax()), similarities.shape)
            example = self.training.examples[column]
            evidence["nearest_example"] = {
                "text": example.text, "intent": example.intent, "where": f"{example.file}:{example.line}",
                "similarity": round(float(similarities[row, column]), 3)}
        return {
            **self.intent_entry(intent), **self.places[intent],
            "score": round(score, 3), "margin": round(margin, 3), "strength": strength,
            "accepted": score >= ACCEPT_SCORE, "evidence": evidence,
            "runner_up": (self.intent_entry(self.intents[second])
                          if second is not None and margin < STRONG_MARGIN and combined[second] > 0 else None),
        }


def build_groups(root: Path, catalog: IntentCatalog, training: TrainingData,
                 questions: List[Question]) -> List[Dict[str, Any]]:
    if not questions:
        return []
    suggester = Suggester(root, catalog, training, questions)
    groups = []
    confident = [suggester.confident_intent(i, questions) for i in range(len(questions))]
    for members in similarity.group(suggester.question_vectors, same_intent=confident):
        entries = [{"text": q.text, "count": q.count, "conversations": len(q.senders), "kind": q.kind,
                    "confidence": round(sum(q.confidences) / len(q.confidences), 3) if q.confidences else None,
                    "in_training": training.first_intent.get(q.key)}
                   for q in sorted((questions[i] for i in members), key=lambda q: (-q.count, q.text))]
        groups.append({"questions": entries, "messages": sum(e["count"] for e in entries),
                       "conversations": len(set().union(*(questions[i].senders for i in members))),
                       "suggestion": suggester.suggest(members, questions)})
    groups.sort(key=lambda g: (-g["messages"], -len(g["questions"]), g["questions"][0]["text"]))
    for number, g in enumerate(groups, 1):
        g["id"] = number
    return groups


def assist_summary(log: ConversationLog, catalog: IntentCatalog) -> Dict[str, Any]:
    if log.assist is None:
        return {"available": False, "total": 0, "adopted": 0, "rate": None, "custom_replies": 0,
                "corrections": []}
    choices = [c for c in log.assist if c.text]
    adopted = sum(1 for c in choices if c.adopted)
    corrections = [
        {"text": c.text, "suggested": c.suggested_intent, "chosen": c.chosen_intent,
         "chosen_standard": (catalog.intents[c.chosen_intent].standard
                             if c.chosen_intent in catalog.intents else None)}
        for c in choices
        if not c.adopted and c.chosen_intent and c.chosen_intent != c.suggested_intent]
    custom = sum(1 for c in choices if not c.adopted and not c.chosen_intent and c.custom_reply)
    return {"available": True, "total": len(choices), "adopted": adopted, "rate": rate(adopted, len(choices)),
            "custom_replies": custom, "corrections": corrections}


def analyse(root: Path, log: ConversationLog, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Dict[str, Any]:
    """The whole diagnosis of `log` against the project at `root`, as a JSON-ready dict."""
    root = Path(root).resolve()
    catalog = read_intent_catalog(root / "shop")
    if not catalog.intents:
        catalog = reference_catalog()
    examples, _, broken = read_training_data(root)
    training = TrainingData(examples, [b["file"] for b in broken])
    messages = log.messages
    statuses = [classify(m) for m in messages]
    recognised = [m for m, s in zip(messages, statuses) if s == "recognised"]
    conversations = {m.sender_id for m in messages}
    handoffs = [(m, s) for m, s in zip(messages, statuses) if any(a in HANDOFF_ACTIONS for a in m.actions)]
    handoff_conversations = {m.sender_id for m, _ in handoffs}
    low = [m for m in recognised if m.confidence < min_confidence]

    intent_confidence: Dict[str, List[float]] = defaultdict(list)
    for m in recognised:
        intent_confidence[m.intent].append(m.confidence)
    top_intents = [
        {"intent": name, "count": len(confidences), "share": len(confidences) / len(recognised),
         "mean_confidence": round(sum(confidences) / len(confidences), 3),
         "standard": catalog.intents[name].standard if name in catalog.intents else None,
         "category": catalog.category_of(name), "category_label": catalog.label_of(name)}
        for name, confidences in sorted(intent_confidence.items(), key=lambda item: (-len(item[1]), item[0]))]
    by_category = Counter(catalog.label_of(m.intent) for m in recognised)
    categories = [{"label": label, "count": by_category[label]}
                  for label in list(catalog.categories.values()) + ["未登记"] if by_category[label]]

    intent_files = intent_places(root, catalog, sorted(set(catalog.intents) | set(training.intents)))
    questions, symbols_only = collect_questions(messages, statuses, min_confidence)
    questions.sort(key=lambda q: (-q.count, q.key))
    groups = build_groups(root, catalog, training, questions[:MAX_QUESTIONS])
    timestamps = [m.timestamp for m in messages if m.timestamp]
    nlu_fallback, core_fallback = statuses.count("nlu_fallback"), statuses.count("core_fallback")
    return {
        "project": str(root),
        "database": log.source or str(log.path),
        "database_exists": log.exists,
        "generated_at": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "period": {"first": _time(min(timestamps)), "last": _time(max(timestamps))} if timestamps else None,
        "min_confidence": min_confidence,
        "totals": {
            "conversations": len(conversations),
            "messages": len(messages),
            "recognised": len(recognised),
            "unrecognised": nlu_fallback + core_fallback,
            "nlu_fallback": nlu_fallback,
            "core_fallback": core_fallback,
            "low_confidence": len(low),
            "handoff_messages": len(handoffs),
            "handoff_conversations": len(handoff_conversations),
            "symbols_only": symbols_only,
            "omitted_questions": sum(q.count for q in questions[MAX_QUESTIONS:]),
        },
        "rates": {
            "recognition": rate(len(recognised), len(messages)),
            "fallback": rate(nlu_fallback + core_fallback, len(messages)),
            "low_confidence": rate(len(low), len(messages)),
            "handoff": rate(len(handoff_conversations), len(conversations)),
            "handoff_messages": rate(len(handoffs), len(messages)),
        },
        "handoff_reasons": [{"reason": reason, "count": n} for reason, n in
                            Counter(handoff_reason(m, s) for m, s in handoffs).most_common()],
        "assist": assist_summary(log, catalog),
        "top_intents": top_intents,
        "categories": categories,
        "groups": groups,
        "training": {"examples": len(training.texts), "broken_files": training.broken},
        "intent_files": intent_files,
    }

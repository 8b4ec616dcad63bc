"""What the grader reads from a project without running it.

- the training examples, rules and stories of data/ and domain.yml (bot.project_files)
- hygiene: enough examples per intent, no sentence under two intents, no near-duplicates
- answer quality: every intent has a rule or story; every response follows the course's
  answer rules (bot/answer_rules.py: the findings `check` reports), scored by code with
  the rubric's penalty; the rubric's after-sales intents answer by order state (order_form)
- leakage: training examples identical or nearly identical to a bank question

Everything here is plain YAML reading (no Rasa, no student code) and returns JSON-ready
dicts; broken files become findings, never exceptions.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set

from bot.answer_rules import AnswerRules
from bot.grading.bank import Question
from bot.grading.categories import category_fallback_intents
from bot.grading.rubric import Rubric
from bot.project import REFERENCE_ROOT
from bot.project_files import Example, domain_intents, read_domain, read_training_data, reference_catalog
from bot.textsim import MIN_DUPLICATE_CHARS, NearIndex, near_pairs, normalise

IGNORED_INTENTS = {"nlu_fallback", "session_start", "restart", "back"}


def intent_followups(flows: List[Dict[str, Any]]) -> Dict[str, Set[str]]:
    """intent -> the actions that follow it in some rule or story (until the next intent)."""
    following: Dict[str, Set[str]] = defaultdict(set)
    for flow in flows:
        current: List[str] = []
        for step in flow["steps"]:
            if not isinstance(step, dict):
                continue
            alternatives = [step] if "intent" in step else step.get("or") if isinstance(step.get("or"), list) else []
            intents = [str(s["intent"]) for s in alternatives if isinstance(s, dict) and "intent" in s]
            if intents:
                current = intents
            elif "action" in step and current:
                for intent in current:
                    following[intent].add(str(step["action"]))
    return following


def hygiene(examples: List[Example], intents: Iterable[str], broken: List[Dict[str, Any]],
            rubric: Rubric) -> Dict[str, Any]:
    by_intent: Dict[str, List[Example]] = defaultdict(list)
    by_text: Dict[str, List[Example]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example)
        by_text[normalise(example.text) or re.sub(r"\s+", "", example.text)].append(example)
    counts = {name: len(group) for name, group in by_intent.items()}
    names = sorted((set(intents) | set(counts)) - IGNORED_INTENTS)
    thin = [{"intent": name, "count": counts.get(name, 0),
             "file": by_intent[name][0].file if name in by_intent else "",
             "line": by_intent[name][0].line if name in by_intent else 0}
            for name in names if counts.get(name, 0) < rubric.min_examples]
    conflicts = [{"text": group[0].text, "intents": sorted({e.intent for e in group}),
                  "places": [f"{e.file}:{e.line}" for e in group]}
                 for group in by_text.values() if len({e.intent for e in group}) > 1]

    near = []
    for intent, group in sorted(by_intent.items()):
        for i, j, score in near_pairs([e.text for e in group], rubric.near_duplicate):
            a, b = group[i], group[j]
            if min(len(normalise(a.text)), len(normalise(b.text))) < MIN_DUPLICATE_CHARS:
                continue  # "好的" and "好": short acknowledgements may repeat
            near.append({"intent": intent, "a": a.text, "b": b.text, "similarity": round(score, 2),
                         "places": [f"{a.file}:{a.line}", f"{b.file}:{b.line}"]})

    penalty = rubric.penalty
    lost = (penalty["thin_intent"] * len(thin) + penalty["conflict"] * len(conflicts)
            + penalty["near_duplicate"] * len(near) + penalty["broken_file"] * len(broken))
    return {
        "intents": len(names), "examples": len(examples),
        "examples_per_intent": {name: counts.get(name, 0) for name in names},
        "thin_intents": thin, "conflicts": conflicts, "near_duplicates": near,
        "broken_files": broken, "findings": len(thin) + len(conflicts) + len(near) + len(broken),
        "value": round(max(0.0, 1.0 - lost), 4),
    }


def response_problems(text: str, rubric: Rubric) -> List[str]:
    """What is wrong with one response text, in Chinese (empty when it is fine): the
    course's answer rules (the rubric's, as `check` applies them)."""
    return [rubric.answers.describe(f) for f in rubric.answers.check(text or "")]


def answer_quality(domain: Optional[Dict[str, Any]], flows: List[Dict[str, Any]],
                   nlu_intents: Iterable[str], rubric: Rubric) -> Dict[str, Any]:
    if domain is None:
        return {"value": 0.0, "parts": {}, "unanswered_intents": [], "responses": [],
                "conditional_missing": [], "conditional_checked": [], "findings": 1}
    intents = sorted((set(domain_intents(domain)) | set(nlu_intents)) - IGNORED_INTENTS)
    following = intent_followups(flows)
    unanswered = [name for name in intents if not following.get(name)]

    # (response, text) of every text variant; a response without variants is one empty
    # text (`check` reports it as answers.empty); image-only variants have no text.
    texts = [(str(name), str(variant.get("text") or ""))
             for name, variants in (domain.get("responses") or {}).items()
             for variant in variants or [{"text": ""}]
             if isinstance(variant, dict) and "text" in variant]
    responses = []
    codes: Dict[str, Set[str]] = defaultdict(set)  # response -> codes of all its variants
    for name, text in texts:
        found = rubric.answers.check(text)
        if found:
            codes[name].update(f.code for f in found)
            responses.append({"response": name, "text": text, "codes": [f.code for f in found],
                              "problems": [rubric.answers.describe(f) for f in found]})
    lost = sum(rubric.answers.loss(found) for found in codes.values())

    conditional = [name for name in rubric.conditional_intents if name in intents]
    not_conditional = [name for name in conditional
                       if not (following.get(name, set()) & set(rubric.conditional_actions))]

    parts = {
        "answered": 1 - len(unanswered) / len(intents) if intents else None,
        "responses": 1 - lost / max(1, len(domain.get("responses") or {})) if texts else None,
        "conditional": 1 - len(not_conditional) / len(conditional) if conditional else None,
    }
    present = [v for v in parts.values() if v is not None]
    return {
        "value": round(sum(present) / len(present), 4) if present else None,
        "parts": {k: (round(v, 4) if v is not None else None) for k, v in parts.items()},
        "unanswered_intents": unanswered, "responses": responses, "responses_checked": len(texts),
        "conditional_checked": conditional, "conditional_missing": not_conditional,
        "findings": len(unanswered) + len(responses) + len(not_conditional),
    }


def leakage(questions: Sequence[Question], examples: List[Example], threshold: float,
            min_chars: int, inherited: Set[str] = frozenset(),
            evidence: int = 0) -> Dict[str, List[Dict[str, Any]]]:
    """question key -> the training examples identical or nearly identical to it.

    A specific question can leak on its own. One whose normalised text is shorter than
    `min_chars` (在吗, 谢谢, 我要退货, 还没到) is a stock phrase any student writes on
    their own, so it only counts once copying is established: when at least `evidence`
    specific questions leaked (0: never). bench/leakage.py measures both choices: an
    honest project is never flagged, a project with copied questions loses its copied
    stock phrases too.
    Examples the student inherited from the reference project (`inherited`, normalised
    texts) are public course material, not copies of an exam either.
    """
    examples = [e for e in examples if normalise(e.text, numbers="drop") not in inherited]
    index = NearIndex([e.text for e in examples], numbers="drop")
    specific: Dict[str, List[Dict[str, Any]]] = {}
    stock: Dict[str, List[Dict[str, Any]]] = {}
    for question in questions:
        hits = index.search(question.text, threshold)
        if hits:
            found = specific if len(normalise(question.text, numbers="drop")) >= min_chars else stock
            found[question.key] = [{"text": examples[i].text, "intent": examples[i].intent,
                                    "place": f"{examples[i].file}:{examples[i].line}",
                                    "similarity": round(score, 2)} for i, score in hits[:3]]
    if evidence and len(specific) >= evidence:
        specific.update(stock)  # copying is established: its stock phrases count too
    return {q.key: specific[q.key] for q in questions if q.key in specific}


@lru_cache(maxsize=1)
def reference_texts() -> FrozenSet[str]:
    """What every student inherits, normalised as the leak check compares texts: the
    reference's examples and the standard questions `new` puts in every workspace."""
    examples, _, _ = read_training_data(REFERENCE_ROOT)
    standards = [i.standard for i in reference_catalog().intents.values()]
    return frozenset(normalise(t, numbers="drop") for t in [e.text for e in examples] + standards)


def checker_findings(root: Path, rules: AnswerRules) -> Dict[str, Any]:
    """What `python -m bot check` (without its Rasa step, with the rubric's answer rules)
    says about the project: shown in the reports next to the grader's own findings, not
    part of the score, which the rubric fixes. A failure of the checker never fails grading."""
    try:
        from bot.checks import run_checks
        report = run_checks(Path(root), rasa=False, rules=rules)
        return {"errors": report.errors, "warnings": report.warnings,
                "findings": [{"severity": f.severity, "code": f.code, "where": f.where,
                              "message": f.message, "fix": f.fix} for f in report.findings]}
    except Exception as exc:  # noqa: BLE001 - the checker is another tool; grading goes on
        return {"errors": None, "warnings": None, "findings": [], "failed": f"{type(exc).__name__}: {exc}"}


def analyse(root: Path, questions: Sequence[Question], rubric: Rubric) -> Dict[str, Any]:
    """Everything static about one project, JSON-ready."""
    examples, flows, broken = read_training_data(root)
    domain, domain_problem = read_domain(root)
    broken = broken + ([domain_problem] if domain_problem else [])
    fallbacks = category_fallback_intents(root)
    intents = [i for i in domain_intents(domain) if i not in fallbacks] if domain else []
    return {
        "hygiene": hygiene(examples, intents, broken, rubric),
        "answer_quality": answer_quality(domain, flows, {e.intent for e in examples}, rubric),
        "leaks": leakage(questions, examples, rubric.leak_threshold, rubric.leak_min_chars,
                         reference_texts(), rubric.leak_evidence),
        "checker": checker_findings(root, rubric.answers),
    }

"""report.json, the source of truth: assembling it and redacting the student view.

Every rendering reads only this dict (see bot/grading/output.py for which module
writes which file); nothing here knows about a format.

The student view (--student-view) never carries a bank question: no texts, no ids,
no replies to bank questions; only counts per category and reason.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Sequence

from bot import console
from bot.grading.bank import Bank, Question
from bot.grading.categories import definition
from bot.grading.rubric import COMPONENT_LABELS, Rubric
from bot.grading.scoring import FORMULAS

SCHEMA_VERSION = 1
HIDDEN = "（这一条涉及考题，已隐藏）"


def assemble(name: str, source: str, error: Optional[str], stage: Optional[str],
             questions: Sequence[Question], verdicts: Dict[str, Dict[str, Any]],
             measured: Dict[str, Any], scenarios: List[Dict[str, Any]], static: Dict[str, Any],
             scored: Dict[str, Any], banks: List[Bank], rubric: Rubric, model: Dict[str, Any],
             timings: Dict[str, Any], student_view: bool) -> Dict[str, Any]:
    teacher = not student_view
    kept = ("label", "total", "covered", "coverage", "category_fallback", "failures")
    categories = {category: {**{k: data[k] for k in kept}, "definition": definition(category),
                             **({"missing": data["missing"]} if teacher else {})}
                  for category, data in measured["categories"].items()}
    negatives = {k: measured["negatives"][k] for k in ("total", "misrouted", "leaked", "correct", "misroute_rate")
                 + (("missing",) if teacher else ())}
    leaks = static.get("leaks") or {}
    passed = sum(1 for s in scenarios if s["passed"])
    pass_rate = round(passed / len(scenarios), 4) if scenarios else None
    data: Dict[str, Any] = {
        "schema": SCHEMA_VERSION, "generated_at": datetime.now().isoformat(timespec="seconds"),
        "view": "student" if student_view else "teacher",
        "project": {"name": name, "source": source if teacher else name},
        "status": "error" if error else "ok", "error": error, "stage": stage if error else None,
        "score": scored["score"],
        "score_parts": {k: {"label": COMPONENT_LABELS[k], **v} for k, v in scored["parts"].items()},
        "categories": categories, "negatives": negatives,
        "scenarios": {"total": len(scenarios), "passed": passed, "pass_rate": pass_rate,
                      "items": [s if teacher else _student_scenario(s) for s in scenarios]},
        "rates": {**measured["rates"], "scenario_pass": pass_rate},
        "formulas": [{"name": n, "formula": f} for n, f in FORMULAS],
        "confusion": measured["confusion"], "counts": measured["counts"],
        "leaks": {"count": len(leaks), "by_category": dict(Counter(q.category for q in questions if q.key in leaks))},
        "hygiene": static.get("hygiene"), "answer_quality": static.get("answer_quality"),
        "checker": static.get("checker") or {"errors": None, "warnings": None, "findings": []},
        "rubric": {"source": rubric.source, "weights": rubric.weights},
        "model": model if teacher else {"reused": model.get("reused")}, "timings": timings,
    }
    if teacher:
        data["banks"] = [{"name": b.name, "encoding": b.encoding, "questions": len(b.questions),
                          "problems": [str(p) for p in b.problems]} for b in banks]
        data["questions"] = [{**q.to_json(), **{k: v for k, v in verdicts[q.key].items() if k != "key"}}
                             for q in questions]
        data["leaks"]["items"] = [{"key": q.key, "id": q.id, "text": q.text, "category": q.category,
                                   "examples": leaks[q.key]} for q in questions if q.key in leaks]
    else:
        data["banks"] = [{"questions": len(b.questions)} for b in banks]
        data = redact(data, [q.text for q in questions])
    # every string writable in UTF-8 (file names may not be: console.printable)
    return _map_strings(data, console.printable, keys=True)


def _map_strings(value: Any, change: Callable[[str], str], keys: bool = False) -> Any:
    """VALUE with `change` applied to every string in it (and to dict keys if `keys`)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {(change(k) if keys and isinstance(k, str) else k): _map_strings(v, change, keys)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change, keys) for item in value]
    return value


def redact(value: Any, secrets: Sequence[str]) -> Any:
    """The student view's safety net: any string that contains a bank question is hidden.

    A student's own training example can be a bank question (that is leakage), and the
    findings about that example would show it. Questions shorter than 4 characters
    only hide strings equal to them, not every string that contains them.
    """
    long = [s for s in secrets if len(s) >= 4]
    short = set(secrets) - set(long)
    return _map_strings(value, lambda item: HIDDEN if item in short or any(s in item for s in long) else item)


def _student_scenario(result: Dict[str, Any]) -> Dict[str, Any]:
    """A scenario's result without what was said and replied."""
    return {**{k: result[k] for k in ("key", "name", "category", "passed", "error")},
            "turns": [{k: t[k] for k in ("checks", "intent", "actions")} for t in result["turns"]]}

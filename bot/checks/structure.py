"""Check 2: does every question have an answer, and is every answer reachable?

An intent with no examples, no answer (no utter_<intent> and no rule/story action after
it), an answer no rule or story triggers, or no category (or one outside the reference's
shop/intents.yml); an answer nothing uses (not a rule/story action, a form's question
utter_ask_<slot>, nor named in the reference's actions/*.py); an intent, answer, action,
form or slot that examples, rules, stories or forms use but domain.yml lacks.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Dict, Iterable, Iterator, List, Set

from bot.checks.findings import Finding, error, warning
from bot.checks.model import (DEFAULT_ACTIONS, DEFAULT_INTENTS, DEFAULT_RESPONSES, Flow,
                              Model)
from bot.course import MIN_EXAMPLES
from bot.project import REFERENCE_ROOT
from bot.project_files import CATEGORY_FILES, reference_catalog

# The course's topic categories: the reference's shop/intents.yml is their one source.
CATEGORIES = reference_catalog().categories
# Rasa's built-in intents that need no examples, answer or category. out_of_scope is
# also built in, but this project declares it like any other intent.
BUILTIN_INTENTS = DEFAULT_INTENTS - {"out_of_scope"}


def similar(name: str, names: Iterable[str]) -> str:
    """'（是不是 xxx？）' when a known name looks like `name`, else ''."""
    match = difflib.get_close_matches(name, list(names), n=1, cutoff=0.75)
    return f"（是不是写错了？最接近的是 {match[0]}）" if match else ""


@lru_cache(maxsize=1)
def actions_code() -> str:
    """The custom actions' source. Only the reference project's actions/ counts: it
    serves every project (students edit data, never Python), so a copy of actions/
    inside a student's project is never run."""
    parts = []
    for path in sorted((REFERENCE_ROOT / "actions").rglob("*.py")):
        try:
            parts.append(path.read_text("utf-8", errors="replace"))
        except OSError:
            continue
    return "\n".join(parts)


def named_in_code(name: str, code: str) -> bool:
    """`name` appears in the code as a whole word (usually a string literal)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", code) is not None


def used_by_actions(name: str, code: str) -> bool:
    """Named in the code, or built there: f"utter_quality_{kind}" sends utter_quality_*."""
    return named_in_code(name, code) or any(
        name.startswith(p) for p in re.findall(r"""f["'](utter_[A-Za-z0-9_]*)\{""", code))


def answered_intents(flows: List[Flow]) -> Set[str]:
    """Intents a rule or story answers: the next intent or action after them is an action."""
    found: Set[str] = set()
    for flow in flows:
        for i, step in enumerate(flow.steps):
            if step.kind != "intent":
                continue
            later = (s.kind for s in flow.steps[i + 1:] if s.kind in ("intent", "action"))
            if next(later, None) == "action":
                found.add(step.name)
    return found


def used_responses(model: Model) -> Set[str]:
    """Responses something uses: rule/story actions, form questions, Rasa's defaults."""
    used = {s.name for f in model.flows for s in f.steps if s.kind == "action"}
    for form in model.domain.forms.values():
        for slot in form.required_slots:
            used |= {f"utter_ask_{slot}", f"utter_ask_{form.name}_{slot}"}
    return used | DEFAULT_RESPONSES


def rule_snippet(intent: str, action: str) -> str:
    return (f"- rule: （标准问题）\n  steps:\n  - intent: {intent}\n  - action: {action}")


def check(model: Model) -> List[Finding]:
    if model.domain is None:
        return []
    parts = (_intents_and_examples, _flow_references, _forms, _answers, _categories)
    return _merge_undeclared(finding for part in parts for finding in part(model))


def _merge_undeclared(findings: Iterable[Finding]) -> List[Finding]:
    """An intent missing from domain.yml is one mistake, however many places use it:
    one finding at the first place, the others listed under "另见"."""
    first: Dict[str, Finding] = {}
    merged: List[Finding] = []
    for finding in findings:
        if finding.key and finding.key[0] == "intent_not_in_domain":
            kept = first.setdefault(finding.key[1], finding)
            if kept is not finding:
                kept.also.append((finding.file, finding.line))
                continue
        merged.append(finding)
    return merged


def _intents_and_examples(model: Model) -> Iterator[Finding]:
    domain = model.domain
    with_examples = model.intents_with_examples()
    if "data" not in model.unreadable:
        for intent, line in domain.intents.items():
            if intent in BUILTIN_INTENTS or intent in with_examples or intent in model.fallback_intents:
                continue
            yield error(
                "structure.no_examples", domain.file, line,
                f"意图 {intent} 在 domain.yml 里登记了，但 data/nlu/ 里没有它的例句：机器人永远认不出这个问题。",
                f"在 data/nlu/ 对应技能的文件里加上\n- intent: {intent}\n  examples: |\n    - （顾客的问法，至少 {MIN_EXAMPLES} 条）",
                key=("intent_no_examples", intent))
    for intent, blocks in with_examples.items():
        if intent in domain.intents or intent in DEFAULT_INTENTS:
            continue
        yield error(
            "structure.nlu_intent_undeclared", blocks[0].file, blocks[0].line,
            f"意图 {intent} 有例句，但 domain.yml 的 intents: 里没有它{similar(intent, domain.intents)}。",
            f"在 domain.yml 的 intents: 下加一行 '  - {intent}'；如果是写错了名字，改成 domain.yml 里的意图名。",
            key=("intent_not_in_domain", intent))


def _flow_references(model: Model) -> Iterator[Finding]:
    domain = model.domain
    known_actions = set(domain.actions) | set(domain.forms) | DEFAULT_ACTIONS
    # what a step names -> (code, the names domain.yml has, names that need none, what the step does
    # with the name ({0}), the fix ({1}: the forms there are), Finding.key)
    refs = {
        "intent": ("intent_undeclared", domain.intents, DEFAULT_INTENTS, "用了意图 {0}，但 domain.yml 的 intents: 里没有它",
                   "在 domain.yml 的 intents: 下加一行 '  - {0}'（别忘了写例句和登记类别），或者把名字改成已有的意图。",
                   "intent_not_in_domain"),
        "response": ("unknown_response", domain.responses, (), "用了答案 {0}，但 domain.yml 的 responses: 里没有它",
                     "在 domain.yml 的 responses: 下写上 {0}，或者把名字改成已有的答案。", "unknown_action"),
        "action": ("unknown_action", known_actions, (), "用了动作 {0}，但 domain.yml 的 actions: 和 forms: 里都没有它",
                   "自定义动作的名字要和 domain.yml 的 actions: 一致（动作由老师提供，学生不需要新建）；检查是不是拼错了。",
                   "unknown_action"),
        "active_loop": ("unknown_form", domain.forms, ("null", ""), "里的 active_loop: {0} 不是 domain.yml 里的表单",
                        "表单名要和 domain.yml 的 forms: 一致（现有：{1}）。", "unknown_form"),
        "slot_was_set": ("unknown_slot", domain.slots, (), "里的 slot_was_set 用了槽位 {0}，domain.yml 的 slots: 里没有它",
                         "槽位名要和 domain.yml 的 slots: 一致。", "unknown_slot"),
    }
    forms = "、".join(domain.forms) or "无"
    for flow in model.flows:
        what = "规则" if flow.kind == "rule" else "故事"
        for step in flow.steps + flow.condition:
            ref = "response" if step.kind == "action" and step.name.startswith("utter_") else step.kind
            if ref not in refs:
                continue
            code, names, needless, does, fix, key = refs[ref]
            if step.name not in names and step.name not in needless:
                yield error(f"structure.{code}", step.file, step.line,
                            f"{what}「{flow.name}」{does.format(step.name)}{similar(step.name, names)}。",
                            fix.format(step.name, forms), key=(key, step.name))


def _forms(model: Model) -> Iterator[Finding]:
    domain = model.domain
    for form in domain.forms.values():
        for slot in form.required_slots:
            if slot not in domain.slots:
                yield error(
                    "structure.form_slot", domain.file, form.line,
                    f"表单 {form.name} 要收集的槽位 {slot} 在 domain.yml 的 slots: 里没有"
                    f"{similar(slot, domain.slots)}。",
                    "在 slots: 里加上这个槽位，或者改正拼写。", key=("unknown_slot", slot))


def _answers(model: Model) -> Iterator[Finding]:
    domain = model.domain
    if "data" in model.unreadable:
        return  # a rule we could not read may be the one that answers
    answered = answered_intents(model.flows)
    used = used_responses(model)
    code = actions_code()
    reported: Set[str] = set()
    for intent, line in domain.intents.items():
        if intent in answered or intent in BUILTIN_INTENTS:
            continue
        response = f"utter_{intent}"
        category = model.categories[intent].category if intent in (model.categories or {}) else ""
        rules_file = f"data/rules/{CATEGORY_FILES.get(category, '对应技能的文件.yml')}"
        if response in domain.responses:
            reported.add(response)
            yield error(
                "structure.not_triggered", domain.file, domain.responses[response].line,
                f"意图 {intent} 有答案 {response}，但没有任何规则或故事用到它：顾客问这个问题时机器人不会回答。",
                f"在 {rules_file} 加一条规则：\n{rule_snippet(intent, response)}",
                key=("response_unused", response))
        else:
            yield error(
                "structure.no_answer", domain.file, line,
                f"意图 {intent} 没有答案：domain.yml 的 responses: 里没有 {response}，"
                f"规则和故事里也没有在它后面回复的动作。",
                f"在 domain.yml 的 responses: 下加上\n  {response}:\n  - text: \"亲，……\"\n"
                f"再在 {rules_file} 加一条规则：\n{rule_snippet(intent, response)}",
                key=("intent_no_answer", intent))
    for name, response in domain.responses.items():
        if name in used or name in reported or used_by_actions(name, code):
            continue
        yield warning(
            "structure.response_unused", domain.file, response.line,
            f"答案 {name} 没有被任何规则、故事、表单或动作用到，顾客永远看不到它。",
            "如果它是某个意图的答案，在 data/rules/ 对应的文件里加一条规则使用它；不需要就删掉。",
            key=("response_unused", name))


def _categories(model: Model) -> Iterator[Finding]:
    domain = model.domain
    rel = "shop/intents.yml"
    if model.categories is None:
        if "intents" not in model.unreadable:
            yield error(
                "structure.no_intents_file", None, None,
                "找不到 shop/intents.yml（意图和类别的唯一来源），无法知道每个意图属于哪一类。",
                "从参考项目复制 shop/intents.yml，再登记你新增的意图。")
        return
    for intent, line in domain.intents.items():
        if intent in model.categories or intent in BUILTIN_INTENTS:
            continue
        yield error(
            "structure.no_category", domain.file, line,
            f"意图 {intent} 没有在 shop/intents.yml 登记类别{similar(intent, model.categories)}。",
            f"在 shop/intents.yml 的 intents: 下加一行：\n  {intent}: {{category: basic, standard: 标准问题}}\n"
            f"category 从 {'/'.join(CATEGORIES)} 里选一个。")
    for intent, cat in model.categories.items():
        if cat.category not in CATEGORIES:
            guess = similar(cat.category, CATEGORIES) if cat.category else ""
            yield error(
                "structure.bad_category", rel, cat.line,
                f"意图 {intent} 的类别 '{cat.category or '（空）'}' 不是课程规定的类别之一{guess}。",
                "类别只能是：" + "、".join(f"{k}（{v}）" for k, v in CATEGORIES.items()) + "。")
        used = intent in model.intents_with_examples() or any(
            s.kind == "intent" and s.name == intent for f in model.flows for s in f.steps)
        if intent not in domain.intents and not used and "domain" not in model.unreadable:
            yield warning(
                "structure.category_not_in_domain", rel, cat.line,
                f"shop/intents.yml 登记了意图 {intent}，但 domain.yml 的 intents: 里没有它{similar(intent, domain.intents)}。",
                f"如果要用这个意图：在 domain.yml 的 intents: 下加 '  - {intent}'，再写例句、答案和规则；"
                f"不用了就从 shop/intents.yml 删掉。")

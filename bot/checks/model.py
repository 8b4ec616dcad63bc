"""The project as the content checks see it: intents, examples, rules, stories, answers,
categories, policy keys and the catalog, each with its file and line.

Built from the parsed files of check 1. Misspelt keys are read as the key they misspell
(`intnet:` counts as `intent:`), so one typo gives one finding, not a cascade. A file
that cannot be parsed at all is listed in `unreadable`: checks that would conclude
"missing" from its absence skip themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from bot.checks import encoding, file_format, files, shapes
from bot.checks.findings import Finding, error
from bot.checks.source import Node, SourceFile
from bot.checks.yaml_syntax.keys import (CATEGORY_KEYS, DATA_TOP, DOMAIN_TOP, FORM_FIELDS, INTENT_ENTRY_KEYS,
                                         INTENTS_TOP, NLU_ITEM, RESPONSE_VARIANT, RULE_ITEM, STEP_ITEM,
                                         STORY_ITEM, canonical_key, file_kind)
from bot.checks.yaml_syntax.parse import ParsedFile, check_file
from bot.project import SHOP_TRAINING_FILES
from bot.project_files import relative, strip_annotations

# Rasa 3.6 (rasa.shared.core.constants): intents and actions every assistant has.
DEFAULT_INTENTS = {"restart", "back", "out_of_scope", "session_start", "nlu_fallback"}
DEFAULT_ACTIONS = {
    "action_listen", "action_restart", "action_session_start", "action_default_fallback",
    "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
    "action_default_ask_rephrase", "action_two_stage_fallback", "action_unlikely_intent",
    "action_back", "...", "action_extract_slots",
}
# Responses Rasa's default actions send by themselves.
DEFAULT_RESPONSES = {"utter_default", "utter_ask_rephrase", "utter_restart", "utter_back",
                     "utter_ask_affirmation"}


@dataclass
class Example:
    intent: str
    text: str          # as written after "- "
    file: str
    line: int

    @property
    def plain(self) -> str:
        return strip_annotations(self.text).strip()


@dataclass
class IntentBlock:
    name: str
    file: str
    line: int
    examples: List[Example] = field(default_factory=list)


@dataclass
class Step:
    kind: str          # intent, action, active_loop, slot_was_set, checkpoint ...
    name: str
    file: str
    line: int


@dataclass
class Flow:
    kind: str          # "rule" or "story"
    name: str
    file: str
    line: int
    steps: List[Step] = field(default_factory=list)
    condition: List[Step] = field(default_factory=list)


@dataclass
class Variant:
    text: Optional[str]   # None: no text key (image/custom only)
    line: int


@dataclass
class Response:
    name: str
    line: int
    variants: List[Variant] = field(default_factory=list)


@dataclass
class Form:
    name: str
    line: int
    required_slots: List[str] = field(default_factory=list)


@dataclass
class Domain:
    file: str
    intents: Dict[str, int] = field(default_factory=dict)
    slots: Dict[str, int] = field(default_factory=dict)
    forms: Dict[str, Form] = field(default_factory=dict)
    actions: Dict[str, int] = field(default_factory=dict)
    responses: Dict[str, Response] = field(default_factory=dict)


@dataclass
class Category:
    intent: str
    category: str
    line: int


@dataclass
class Model:
    root: Path
    files: Dict[str, ParsedFile] = field(default_factory=dict)
    domain: Optional[Domain] = None
    nlu: List[IntentBlock] = field(default_factory=list)
    flows: List[Flow] = field(default_factory=list)
    categories: Optional[Dict[str, Category]] = None   # None: shop/intents.yml missing
    fallback_intents: Set[str] = field(default_factory=set)  # 类别兜底 intents: no examples needed
    policy_keys: Optional[Set[str]] = None
    catalog: Optional[ParsedFile] = None
    unreadable: Set[str] = field(default_factory=set)  # "domain", "data", "intents", ...
    findings: List[Finding] = field(default_factory=list)  # check 1 + loading problems
    missing: List[str] = field(default_factory=list)

    def intents_with_examples(self) -> Dict[str, List[IntentBlock]]:
        found: Dict[str, List[IntentBlock]] = {}
        for block in self.nlu:
            found.setdefault(block.name, []).append(block)
        return found


# Shop files the components and actions read as they are (the orders and every
# hand-kept word list): only their encoding is checked.
SHOP_FILES_READ_AS_IS = ("orders.yml",) + tuple(n for n in SHOP_TRAINING_FILES if n.endswith(".txt"))


def load(root: Path) -> Model:
    layout = files.survey(root)
    model = Model(root=root, missing=layout.missing, findings=list(layout.findings),
                  unreadable={file_kind(rel) for rel in layout.skipped})
    broken: Set[str] = set()  # parsed, but not as Rasa needs: the other checks skip them
    for path in layout.files:
        try:
            source = SourceFile.read(path, root)
        except OSError as exc:
            model.findings.append(files.unreadable(relative(path, root), exc))
            model.unreadable.add(file_kind(relative(path, root)))
            continue
        parsed = check_file(source)
        model.files[parsed.source.rel] = parsed
        wrong_kind = shapes.check(parsed)
        # a line whose YAML mistake is already reported gets no second finding
        said = {f.line for f in parsed.findings if f.is_error}
        model.findings += parsed.findings + [
            f for f in file_format.check(parsed) + wrong_kind if f.line not in said]
        if not parsed.ok or any(f.code == shapes.SECTION for f in wrong_kind):
            model.unreadable.add(parsed.kind)
            broken.add(parsed.source.rel)
    for path in (root / "shop" / name for name in SHOP_FILES_READ_AS_IS):
        if path.is_file():
            model.findings += encoding.check(SourceFile.read(path, root))
    for rel, parsed in model.files.items():
        if parsed.tree is None or not parsed.tree.is_map or rel in broken:
            continue
        if parsed.kind == "domain":
            model.domain = _domain(parsed, model)
        elif parsed.kind == "data":
            _data(parsed, model)
        elif parsed.kind == "intents":
            model.categories = _categories(parsed, model)
        elif parsed.kind == "policy":
            model.policy_keys = {str(k.value) for k, _ in parsed.tree.pairs}
    domain_file = model.files.get("domain.yml")
    if domain_file is not None and domain_file.ok and model.domain is None and "domain.yml" not in broken:
        model.findings.append(error(
            "structure.empty_domain", "domain.yml", 1,
            "domain.yml 是空的（或者不是“键: 值”的格式）：里面要有 intents:、responses: 等内容。",
            "从参考项目复制 domain.yml，再改成你的内容。"))
    if "shop/intents.yml" in model.files and model.categories is None:
        model.categories = {} if model.files["shop/intents.yml"].ok else None
    if "shop/catalog.yml" in model.files and model.files["shop/catalog.yml"].ok:
        model.catalog = model.files["shop/catalog.yml"]
    return model


def _get(node: Optional[Node], key: str, allowed: Set[str]) -> Optional[Node]:
    """node[key], also when the key is misspelt (`intnet` for `intent`)."""
    if node is None:
        return None  # (a list or a text has no pairs: None below too)
    return node.get(key) or next((v for k, v in node.pairs if isinstance(k.value, str)
                                  and canonical_key(k.value, allowed) == key), None)


def _names(node: Optional[Node]) -> List[Tuple[str, int]]:
    """Names of a list (`- greet`, `- greet: {...}`) or a mapping, with lines."""
    if node is None or node.is_scalar:
        return []
    named = [k for k, _ in node.pairs] if node.is_map else [
        item.pairs[0][0] if item.is_map else item for item in node.items
        if (item.is_scalar and item.value is not None) or (item.is_map and item.pairs)]
    return [(str(n.value), n.line) for n in named]


def _duplicates(parsed: ParsedFile, node: Optional[Node], what: str, model: Model) -> None:
    seen: Dict[str, int] = {}
    for k, _ in (node.pairs if node is not None else []):
        name = str(k.value)
        if name in seen:
            model.findings.append(error(
                "structure.duplicate_key", parsed.source.rel, k.line,
                f"{what} '{name}' 写了两次（第 {seen[name]} 行和第 {k.line} 行）：YAML 只保留后面那个，"
                f"前面那个会被悄悄丢掉。",
                f"把两处合并成一个 '{name}'。", also=[(parsed.source.rel, seen[name])]))
        else:
            seen[name] = k.line


def _domain(parsed: ParsedFile, model: Model) -> Domain:
    tree = parsed.tree
    domain = Domain(file=parsed.source.rel)
    for section, names, what in (("intents", domain.intents, ""), ("slots", domain.slots, "槽位"),
                                 ("actions", domain.actions, "")):
        node = _get(tree, section, DOMAIN_TOP)
        if what:
            _duplicates(parsed, node, what, model)
        for name, line in _names(node):
            names.setdefault(name, line)
    forms = _get(tree, "forms", DOMAIN_TOP)
    for k, v in (forms.pairs if forms is not None else []):
        required = _get(v, "required_slots", FORM_FIELDS)
        domain.forms[str(k.value)] = Form(str(k.value), k.line, [n for n, _ in _names(required)])
    responses = _get(tree, "responses", DOMAIN_TOP)
    _duplicates(parsed, responses, "答案", model)
    for k, v in (responses.pairs if responses is not None else []):
        response = Response(str(k.value), k.line)
        for item in v.items if v.is_seq else [v] if v.is_map else []:
            text = _get(item, "text", RESPONSE_VARIANT)
            if text is None:
                keys = {canonical_key(str(kk.value), RESPONSE_VARIANT) for kk, _ in item.pairs}
                response.variants.append(Variant(None if keys - {"text"} else "", item.line))
            else:
                response.variants.append(Variant(text.text(), text.line))
        if v.is_scalar:  # `utter_x: 亲，你好` (forgot "- text:")
            response.variants.append(Variant(v.text(), v.line))
        domain.responses.setdefault(response.name, response)
    return domain


def _examples(name: str, node: Optional[Node], rel: str) -> List[Example]:
    """Examples as Rasa reads them: lines starting with '-', text after it stripped."""
    if node is None:
        return []
    if not node.is_scalar:  # a list (`examples:` without `|`, check 1 reports it); a map: no items
        return [Example(name, item.text().strip(), rel, item.line)
                for item in node.items if item.text().strip()]
    # in a `|` block each example is on its own line; other styles are located at the value's start
    return [Example(name, line[1:].strip(" \r\n"), rel, node.line + 1 + i if node.style == "|" else node.line)
            for i, line in enumerate(node.text().splitlines()) if line.startswith("-") and line[1:].strip(" \r\n")]


def _data(parsed: ParsedFile, model: Model) -> None:
    rel = parsed.source.rel
    nlu = _get(parsed.tree, "nlu", DATA_TOP)
    for item in (nlu.items if nlu is not None else []):
        intent = _get(item, "intent", NLU_ITEM)
        if intent is None or not intent.text():
            continue
        block = IntentBlock(intent.text().strip(), rel, intent.line)
        block.examples = _examples(block.name, _get(item, "examples", NLU_ITEM), rel)
        model.nlu.append(block)
    for kind, allowed, top in (("rule", RULE_ITEM, "rules"), ("story", STORY_ITEM, "stories")):
        section = _get(parsed.tree, top, DATA_TOP)
        for item in (section.items if section is not None else []):
            if not item.is_map:
                continue
            title = _get(item, kind, allowed)
            model.flows.append(Flow(kind, title.text() if title is not None else "", rel,
                                    title.line if title is not None else item.line,
                                    _steps(_get(item, "steps", allowed), rel),
                                    _steps(_get(item, "condition", allowed), rel)))


def _steps(node: Optional[Node], rel: str) -> List[Step]:
    steps: List[Step] = []
    for item in (node.items if node is not None else []):
        for k, v in item.pairs:  # none in a text or a list
            kind = canonical_key(str(k.value), STEP_ITEM)
            if kind == "or" and v.is_seq:
                steps += _steps(v, rel)
            elif kind in ("intent", "action", "active_loop", "checkpoint"):
                name = "null" if v.value is None and kind == "active_loop" else v.text().strip()
                steps.append(Step(kind, name, rel, k.line))
            elif kind == "slot_was_set":
                steps += [Step("slot_was_set", slot, rel, line) for slot, line in _names(v)]
    return steps


def _categories(parsed: ParsedFile, model: Model) -> Dict[str, Category]:
    found: Dict[str, Category] = {}
    topics = _get(parsed.tree, "categories", INTENTS_TOP)
    for _, entry in (topics.pairs if topics is not None else []):
        fallback = _get(entry, "fallback_intent", CATEGORY_KEYS)
        if fallback is not None and fallback.is_scalar and fallback.text().strip():
            model.fallback_intents.add(fallback.text().strip())
    intents = _get(parsed.tree, "intents", INTENTS_TOP)
    _duplicates(parsed, intents, "意图", model)
    for k, v in (intents.pairs if intents is not None else []):
        category = _get(v, "category", INTENT_ENTRY_KEYS)
        text = (category if category is not None else v).text().strip()
        line = category.line if category is not None else k.line
        found.setdefault(str(k.value), Category(str(k.value), text, line))
    return found

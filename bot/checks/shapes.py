"""A value of the wrong kind where Rasa needs a list or a mapping, located at its line.

`steps: 先问好再回答`, `intents: 5`, a rule that is one sentence: it parses as YAML, but
Rasa rejects the file (and our other checks would see no intents and blame every
example for it). When a whole section is of the wrong kind (code SECTION) the file is
treated as unreadable by the other checks.
Only what Rasa 3.6's schema requires is checked; keys are matched the way the model
reads them, so a misspelt `stpes:` is checked as `steps:`.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

from bot.checks.findings import Finding, error
from bot.checks.source import Node
from bot.checks.yaml_syntax.keys import RULE_ITEM, STORY_ITEM, TOP_KEYS, canonical_key
from bot.checks.yaml_syntax.parse import ParsedFile

SECTION = "yaml.shape_section"   # a top-level section (or the whole file) is wrong
SEQ, MAP = "seq", "map"
SHOWN = {SEQ: "一个列表（每一项单独一行，以 '- ' 开头）", MAP: "“名字: 内容”的形式（每项单独一行）"}

# file kind -> top-level key -> (what it must be, what each of its items must be)
TOP: Dict[str, Dict[str, Tuple[str, Optional[str]]]] = {
    "data": {"nlu": (SEQ, MAP), "rules": (SEQ, MAP), "stories": (SEQ, MAP)},
    "domain": {"intents": (SEQ, None), "entities": (SEQ, None), "actions": (SEQ, None),
               "slots": (MAP, MAP), "forms": (MAP, MAP), "responses": (MAP, SEQ),
               "session_config": (MAP, None)},
    "config": {"pipeline": (SEQ, MAP), "policies": (SEQ, MAP)},
}
# inside one item of a data section: key -> (what it must be, what each item must be)
ITEM: Dict[str, Tuple[Set[str], Dict[str, Tuple[str, Optional[str]]]]] = {
    "rules": (RULE_ITEM, {"steps": (SEQ, MAP), "condition": (SEQ, MAP)}),
    "stories": (STORY_ITEM, {"steps": (SEQ, MAP)}),
}


def describe(node: Node) -> str:
    if node.is_seq:
        return "一个列表"
    if node.is_map:
        return "“名字: 内容”的形式"
    kind = "数字" if isinstance(node.value, (int, float)) and not isinstance(node.value, bool) else "文字"
    return f"{kind}「{node.text()[:20]}」"


def _wrong(rel: str, node: Node, want: str, what: str, code: str = "yaml.shape") -> List[Finding]:
    if node.kind == want or (node.is_scalar and node.value is None):
        return []  # right, or empty (other checks say what is missing)
    return [error(
        code, rel, node.line,
        f"{what}应该是{SHOWN[want]}，现在是{describe(node)}：Rasa 读不了这个文件。",
        "对照参考项目里同一个文件的写法改正这一段（注意缩进和 '- '）。")]


def _children(node: Node, allowed: Set[str]) -> List[Tuple[str, Node]]:
    return [(canonical_key(str(k.value), allowed), v) for k, v in node.pairs]


def _section(rel: str, name: str, node: Node, want: str, item: Optional[str],
             code: str = "yaml.shape") -> List[Finding]:
    found = _wrong(rel, node, want, f"'{name}:' 下面", code)
    if found:
        return found
    findings: List[Finding] = []
    items = node.items if node.is_seq else [v for _, v in node.pairs] if node.is_map else []
    for child in items:
        wrong = _wrong(rel, child, item, f"'{name}:' 里的每一项") if item else []
        if wrong:
            findings += wrong
        elif name in ITEM and child.is_map:
            allowed, keys = ITEM[name]
            for key, value in _children(child, allowed):
                if key in keys:
                    findings += _section(rel, key, value, *keys[key])
    return findings


def check(parsed: ParsedFile) -> List[Finding]:
    rel, tree = parsed.source.rel, parsed.tree
    if tree is None or parsed.kind not in TOP:
        return []
    if not tree.is_map:
        return _wrong(rel, tree, MAP, "文件最外层", SECTION)
    top = TOP[parsed.kind]
    return [f for key, value in _children(tree, TOP_KEYS[parsed.kind]) if key in top
            for f in _section(rel, key, value, *top[key], code=SECTION)]

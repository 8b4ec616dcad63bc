"""Multi-turn after-sales scenarios (bank/scenarios/*.yml) and their checks.

bank/scenarios/README.md describes the format: a file holds one scenario (or several
under `scenarios:`): a name, the after-sales category it tests, an order selector
(fields of shop/orders.yml: equal values, or "<7", ">=15", "2-5" for numbers;
`refunds: {kind: refund, status: pending}` matches an order with such a refund), an
optional `context` (the test window, e.g. {product: P03}) and the turns, each a `say`
with its `expect` ({order} in a `say` is the order chosen).
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bot.grading.categories import AFTER_SALES, label
from bot.project import REFERENCE_ROOT

DEFAULT_SCENARIOS = REFERENCE_ROOT / "bank" / "scenarios"
EXPECT_KEYS = ("category", "intent", "actions", "no_actions", "reply_includes", "reply_excludes")


class ScenarioError(Exception):
    """A scenario file is wrong; the message says where, in Chinese."""


@dataclass
class Step:
    say: str
    expect: Dict[str, Any]


@dataclass
class Scenario:
    key: str
    name: str
    category: str
    steps: List[Step]
    order: Dict[str, Any] = field(default_factory=dict)
    context: Dict[str, str] = field(default_factory=dict)


def _as_list(value: Any) -> List[str]:
    values = value if isinstance(value, list) else [] if value is None else [value]
    return [str(v) for v in values]


def _parse_one(raw: Any, where: str, key: str) -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}：情景应当是“名称: 值”的形式")
    name = str(raw.get("name") or "").strip()
    if not name:
        raise ScenarioError(f"{where}：缺少 name（情景名称）")
    category = str(raw.get("category") or "").strip()
    if category not in AFTER_SALES:
        raise ScenarioError(f"{where}（{name}）：category 应当是 {'、'.join(AFTER_SALES)} 之一")
    turns = raw.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ScenarioError(f"{where}（{name}）：turns 至少要有一轮对话")
    steps = []
    for number, turn in enumerate(turns, 1):
        if not isinstance(turn, dict) or not str(turn.get("say") or "").strip():
            raise ScenarioError(f"{where}（{name}）第 {number} 轮：缺少 say（顾客说的话）")
        expect = turn.get("expect") or {}
        if not isinstance(expect, dict):
            raise ScenarioError(f"{where}（{name}）第 {number} 轮：expect 应当是“检查项: 值”的形式")
        unknown = sorted(set(expect) - set(EXPECT_KEYS))
        if unknown:
            raise ScenarioError(f"{where}（{name}）第 {number} 轮：不认识的检查项 {'、'.join(map(str, unknown))}；"
                                f"可以用 {'、'.join(EXPECT_KEYS)}")
        normalised = {k: (_as_list(v) if k not in ("category", "intent") else str(v)) for k, v in expect.items()}
        steps.append(Step(say=str(turn["say"]).strip(), expect=normalised))
    order = raw.get("order") or {}
    if not isinstance(order, dict):
        raise ScenarioError(f"{where}（{name}）：order 应当是订单条件，例如 {{status: delivered}}")
    if any("{order}" in s.say for s in steps) and not order:
        raise ScenarioError(f"{where}（{name}）：对话里用了 {{order}}，但没有写 order（选哪个订单）")
    return Scenario(key=key, name=name, category=category, steps=steps, order=order,
                    context={str(k): str(v) for k, v in (raw.get("context") or {}).items()})


def load_scenarios(folder: Path) -> List[Scenario]:
    """Every scenario of the folder's *.yml files, in file-name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(f"找不到情景文件夹 {folder}")
    scenarios: List[Scenario] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file()):
        try:
            raw = yaml.safe_load(path.read_text("utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ScenarioError(f"{path.name} 不是正确的 YAML" + (f"（第 {mark.line + 1} 行附近）" if mark else ""))
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"无法读取 {path.name}：{exc}")
        items = raw.get("scenarios") if isinstance(raw, dict) and "scenarios" in raw else [raw]
        if not isinstance(items, list):
            raise ScenarioError(f"{path.name}：scenarios 应当是一个列表")
        scenarios += [_parse_one(item, path.name, path.stem if len(items) == 1 else f"{path.stem}#{i}")
                      for i, item in enumerate(items, 1)]
    return scenarios


_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$")
_COMPARE = re.compile(r"^\s*(<=|>=|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*$")
_OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq}


def _matches_value(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, str):
        compare, span = _COMPARE.match(wanted), _RANGE.match(wanted)
        if compare or span:
            try:
                number = float(actual)
            except (TypeError, ValueError):
                return False
            if span:
                return float(span.group(1)) <= number <= float(span.group(2))
            return _OPERATORS[compare.group(1)](number, float(compare.group(2)))
    return actual is not None and str(actual) == str(wanted)


def _refunds_match(refunds: Any, wanted: Any) -> bool:
    """`refunds:` of a selector: no refund at all (none), or one that matches a selector."""
    refunds = [r for r in refunds or [] if isinstance(r, dict)]
    if wanted in (None, False, "none", "无"):
        return not refunds
    return isinstance(wanted, dict) and any(order_matches(r, wanted) for r in refunds)


def order_matches(order: Dict[str, Any], selector: Dict[str, Any]) -> bool:
    return all(_refunds_match(order.get(key), wanted) if key == "refunds" else _matches_value(order.get(key), wanted)
               for key, wanted in selector.items())


def orders_file(project_root: Path) -> Path:
    """The orders the project's action server seeds its database from."""
    path = Path(project_root) / "shop" / "orders.yml"
    return path if path.exists() else REFERENCE_ROOT / "shop" / "orders.yml"


def read_orders(path: Path) -> List[Dict[str, Any]]:
    try:
        raw = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    return [o for o in (raw.get("orders") if isinstance(raw, dict) else None) or [] if isinstance(o, dict)]


def choose_order(orders: List[Dict[str, Any]], selector: Dict[str, Any]) -> Optional[str]:
    if "order_id" in selector:
        return str(selector["order_id"])
    return next((str(order.get("order_id")) for order in orders if order_matches(order, selector)), None)


def resolve(scenario: Scenario, orders: List[Dict[str, Any]]) -> Tuple[List[str], Optional[str], Optional[str]]:
    """The customer's texts with {order} filled in, the order id, and an error if none fits."""
    order_id = choose_order(orders, scenario.order) if scenario.order else None
    if scenario.order and not order_id:
        wanted = "，".join(f"{k}={v}" for k, v in scenario.order.items())
        return [], None, f"订单数据（shop/orders.yml）里没有符合条件的订单：{wanted}"
    return [s.say.replace("{order}", order_id or "") for s in scenario.steps], order_id, None


@dataclass
class Check:
    ok: bool
    what: str        # the expectation, in Chinese
    got: str = ""    # what happened when it failed


def _contains(text: str, item: str) -> bool:
    return any(word and word in text for word in re.split(r"[|｜]", item))


def _subsequence(wanted: List[str], actual: List[str]) -> bool:
    it = iter(actual)
    return all(any(a == w for a in it) for w in wanted)


def check_turn(expect: Dict[str, Any], turn: Dict[str, Any], categories: Dict[str, str]) -> List[Check]:
    """Each expectation of one step against what the bot did (a Turn as a dict)."""
    checks: List[Check] = []
    intent = turn.get("intent")
    actions = list(turn.get("actions") or [])
    reply = "\n".join(turn.get("replies") or [])
    if "category" in expect:
        got = categories.get(intent or "")
        checks.append(Check(got == expect["category"], f"识别为“{label(expect['category'])}”类意图",
                            f"识别为 {intent or '无'}（{label(got) if got else '未登记类别'}）"))
    if "intent" in expect:
        checks.append(Check(intent == expect["intent"], f"识别为意图 {expect['intent']}", f"识别为 {intent or '无'}"))
    if expect.get("actions"):
        checks.append(Check(_subsequence(expect["actions"], actions),
                            f"依次执行 {' → '.join(expect['actions'])}",
                            f"执行了 {' → '.join(actions) or '无'}"))
    checks += [Check(action not in actions, f"不执行 {action}", f"执行了 {' → '.join(actions)}")
               for action in expect.get("no_actions") or []]
    checks += [Check(_contains(reply, item), f"回复包含“{item}”", "回复里没有")
               for item in expect.get("reply_includes") or []]
    return checks + [Check(not _contains(reply, item), f"回复不包含“{item}”", "回复里有")
                     for item in expect.get("reply_excludes") or []]

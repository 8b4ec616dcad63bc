"""The categories a bank question can have and how a bot's intent maps onto them.

A question is `return`, `logistics` or `quality` (after-sales: the bot must answer it) or
`negative` (anything else: the bot must NOT answer it as after-sales). Intent categories,
labels and definitions come from shop/intents.yml (the project's over the reference's,
read by bot.project_files): nothing here names a category in Chinese except the bank's
own `negative` and the words teachers write for a category besides its label.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Set

from bot.project_files import IntentCatalog, ProjectFileError, read_intent_catalog, reference_catalog

AFTER_SALES = ("return", "logistics", "quality")
NEGATIVE = "negative"

# Topic labels from the reference's shop/intents.yml (their one source), plus the bank's
# own word for everything that is not after-sales.
LABELS = {**reference_catalog().categories, NEGATIVE: "负例（非售后）"}

# What the bot did with a question, when it was not an answer from a known intent.
FALLBACK = "fallback"
HANDOFF = "handoff"
SILENT = "silent"
UNREGISTERED = "unregistered"
OUTCOME_LABELS = {FALLBACK: "没听懂（兜底）", HANDOFF: "转人工", SILENT: "没有回复", UNREGISTERED: "未登记类别"}

# Words a teacher may write in the bank's category column (Excel users write Chinese):
# a category's code, its label or a part of it ("退换货/退款" -> 退换货, 退款), or one of
# these other words for it.
_ALIASES = {**{word.lower(): code for code in AFTER_SALES
               for word in [code, LABELS[code], *LABELS[code].split("/")]},
            "returns": "return", "退货": "return", "换货": "return", "退换": "return",
            "快递": "logistics", "发货": "logistics", "质量": "quality"}


def question_category(raw: str) -> Optional[str]:
    """The category of a bank row: an after-sales one, `negative`, or None when empty."""
    text = (raw or "").strip()
    return _ALIASES.get(text.lower(), NEGATIVE) if text else None


def definition(category: str) -> str:
    """What belongs to a topic category (shop/intents.yml), for reports and hints."""
    if category == NEGATIVE:
        return "不是退换货、物流或质量问题的一切问题：机器人不能把它当成售后问题回答。"
    info = reference_catalog().definitions.get(category)
    return info.definition if info else ""


def label(category: Optional[str]) -> str:
    if category is None:
        return "—"
    return LABELS.get(category) or OUTCOME_LABELS.get(category) or category


def _catalogs(project_root: Path) -> List[IntentCatalog]:
    """The reference's shop/intents.yml, then the project's (which overrides it)."""
    try:
        return [reference_catalog(), read_intent_catalog(Path(project_root) / "shop")]
    except ProjectFileError:
        return [reference_catalog()]  # a broken intents.yml of a student: the reference's categories stay


def intent_categories(project_root: Path) -> Dict[str, str]:
    """intent -> category: the reference's shop/intents.yml overlaid by the project's."""
    return {name: info.category for catalog in _catalogs(project_root) for name, info in catalog.intents.items()}


def category_fallback_intents(project_root: Path) -> Set[str]:
    """The 类别兜底 intents, which are answered without examples of their own."""
    return {intent for catalog in _catalogs(project_root) for intent in catalog.fallback_intents.values()}

"""问答诊断: what a seller's 数据分析 page shows, from the logged conversations.

    log.py         reads var/conversations.db (Rasa's SQL tracker store, assist_choices)
    analysis.py    figures, top intents, groups of unrecognised questions with a
                   suggested intent: the report dict (JSON-ready, the source of truth)
    similarity.py  character n-gram TF-IDF similarity, grouping, nearest examples
    text.py, html.py, export.py   renderings: terminal, class page (bot/templates/
                   diagnose.html, on the base template of grade's pages), NLU snippet
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from bot.diagnose.analysis import DEFAULT_MIN_CONFIDENCE, analyse
from bot.diagnose.log import ConversationLog, LogError, read_log

__all__ = ["DEFAULT_MIN_CONFIDENCE", "ConversationLog", "LogError", "analyse", "diagnose", "read_log"]


def diagnose(root: Path, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Dict[str, Any]:
    """The report for the project at `root` (its var/conversations.db)."""
    root = Path(root).resolve()
    return analyse(root, read_log(root / "var" / "conversations.db"), min_confidence)

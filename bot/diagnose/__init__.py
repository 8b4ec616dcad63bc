"""问答诊断: what a seller's 数据分析 page shows, from the logged conversations.

    log.py         reads var/conversations.db (Rasa's SQL tracker store, assist_choices)
    analysis.py    figures, top intents, groups of unrecognised questions with a
                   suggested intent: the report dict (JSON-ready, the source of truth)
    similarity.py  character n-gram TF-IDF similarity, grouping, nearest examples
    text.py, html.py, export.py   renderings: terminal, class page (bot/templates/
                   diagnose.html, on the base template of grade's pages), NLU snippet
"""
from __future__ import annotations

from bot.diagnose.analysis import DEFAULT_MIN_CONFIDENCE, analyse
from bot.diagnose.log import ConversationLog, LogError, read_log

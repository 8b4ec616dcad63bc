"""问答诊断: what a seller's 数据分析 page shows, from the logged conversations.

log.py reads them, analysis.py makes the report dict (figures, top intents, groups of
unrecognised questions with a suggested intent; similarity.py compares the questions),
and text.py (terminal), html.py (class page) and export.py (NLU snippet) render it.
"""
from bot.diagnose.analysis import DEFAULT_MIN_CONFIDENCE, analyse
from bot.diagnose.log import ConversationLog, LogError, read_log

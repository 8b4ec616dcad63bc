"""`--html`: a self-contained Chinese page with inline SVG charts, for projecting in class.

No scripts, no external files and no fonts to embed: the browser draws the SVG text
with its own Chinese fonts, so the page looks the same on any classroom computer.
The page is templates/diagnose.html (on templates/base.html, like grade's pages).
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable, Dict, List, Optional

from bot import charts, pages
from bot.course import MIN_EXAMPLES
from bot.diagnose import text
from bot.diagnose.text import kind_label, percent

GREEN, ORANGE, RED, BLUE = "#2e9d5b", "#f0a020", "#d9483b", "#3a78c2"
# "包邮吗（ask_shipping_fee）" on the page: the standard question, then the name.
intent_label = partial(text.intent_label, quoted=False)


def render_html(report: Dict[str, Any]) -> str:
    totals, rates, assist = report["totals"], report["rates"], report["assist"]
    period = report.get("period")
    subtitle = f"项目 {report['project']} · 生成于 {report['generated_at']}"
    if period:
        subtitle = f"对话时间 {period['first']} 至 {period['last']} · " + subtitle
    cards = [
        ("会话数", str(totals["conversations"])),
        ("顾客消息数", str(totals["messages"])),
        ("识别率", percent(rates["recognition"])),
        ("未识别率", percent(rates["fallback"])),
        ("转人工率", percent(rates["handoff"])),
        ("智能辅助采纳率", percent(assist["rate"]) if assist["available"] else "无记录"),
    ]
    ring = charts.donut([("识别，把握大", totals["recognised"] - totals["low_confidence"], GREEN),
                         (f"识别，置信度低于 {report['min_confidence']:g}", totals["low_confidence"], ORANGE),
                         ("没听懂或兜底回复", totals["unrecognised"], RED)],
                        percent(rates["recognition"]), "识别率")

    def counted(rows: List[Dict[str, Any]], name: Callable[[Dict[str, Any]], str], colour: str, title: str,
                bar_width: int = 420) -> Optional[charts.Chart]:
        return charts.bars([(name(r), r["count"], f"{r['count']} 次", colour) for r in rows], title,
                           bar_width=bar_width, font=15)

    return pages.render(
        "diagnose.html", title="问答诊断报告", report=report, subtitle=subtitle, cards=cards, ring=ring,
        intents=counted(report["top_intents"][:15], intent_label, BLUE, "问得最多的问题"),
        categories=counted(report["categories"], lambda c: c["label"], GREEN, "各类问题的消息数", 300),
        reasons=counted(report["handoff_reasons"], lambda r: r["reason"], RED, "转人工原因", 300),
        percent=percent, kind_label=kind_label, intent_label=intent_label, min_examples=MIN_EXAMPLES)

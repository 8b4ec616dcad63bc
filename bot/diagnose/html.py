"""`--html`: a self-contained Chinese page with inline SVG charts, for projecting in class.

No scripts, no external files and no fonts to embed: the browser draws the SVG text
with its own Chinese fonts, so the page looks the same on any classroom computer.
"""
from __future__ import annotations

import math
from html import escape
from typing import Any, Dict, Optional, Sequence, Tuple

from bot.diagnose.text import kind_label, percent, width

GREEN, ORANGE, RED, BLUE, GREY = "#2e9d5b", "#f0a020", "#d9483b", "#3a78c2", "#9aa5b1"

CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei","Source Han Sans SC",sans-serif;
margin:0;background:#f4f6f9;color:#1f2933;font-size:16px}
header{background:#ff6a00;color:#fff;padding:20px 32px}
header h1{margin:0 0 6px;font-size:28px}
header p{margin:0;opacity:.92}
main{padding:20px 32px;max-width:1200px}
section{background:#fff;border-radius:10px;padding:16px 22px;margin-bottom:18px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:21px;margin:4px 0 12px;border-left:5px solid #ff6a00;padding-left:10px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px}
.card{background:#fff7f0;border-radius:8px;padding:12px 14px}
.card b{display:block;font-size:30px;color:#e05a00}
.card span{font-size:14px;color:#52606d}
.row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
table{border-collapse:collapse;width:100%;font-size:15px}
th,td{border-bottom:1px solid #e4e7eb;padding:8px 6px;text-align:left;vertical-align:top}
th{background:#f5f7fa}
.tag{display:inline-block;border-radius:4px;padding:0 6px;font-size:13px;color:#fff}
.strong{background:#2e9d5b}.medium{background:#f0a020}.weak{background:#9aa5b1}
.muted{color:#7b8794;font-size:14px}
code{background:#f0f2f5;padding:1px 4px;border-radius:3px}
ol li{margin-bottom:4px}
"""


def _text_px(text: str, size: int) -> float:
    return width(text) * size * 0.55


def bar_chart(items: Sequence[Tuple[str, float, str]], color: str, bar_width: int = 420,
              empty: str = "没有数据") -> str:
    """Horizontal bars: (label, value, text shown after the bar)."""
    if not items:
        return f'<p class="muted">{escape(empty)}</p>'
    size, row = 15, 30
    label_px = min(320, max(_text_px(label, size) for label, _, _ in items) + 12)
    top = max(value for _, value, _ in items) or 1
    total_width = label_px + bar_width + 110
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width:.0f}" height="{row * len(items) + 10}" '
             f'font-size="{size}" role="img">']
    for i, (label, value, note) in enumerate(items):
        y = i * row + 5
        length = max(2.0, bar_width * value / top)
        shown = label if _text_px(label, size) <= label_px - 8 else label[: int((label_px - 8) / size)] + "…"
        parts.append(f'<text x="{label_px - 8:.0f}" y="{y + 19}" text-anchor="end" fill="#1f2933">'
                     f'<title>{escape(label)}</title>{escape(shown)}</text>')
        parts.append(f'<rect x="{label_px:.0f}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" rx="3" fill="{color}"/>')
        parts.append(f'<text x="{label_px + length + 6:.1f}" y="{y + 19}" fill="#52606d">{escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def donut(segments: Sequence[Tuple[str, int, str]], centre: str, caption: str) -> str:
    """A ring chart with a legend: (label, count, colour)."""
    total = sum(count for _, count, _ in segments)
    r, cx, cy, stroke = 80, 110, 110, 34
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="580" height="230" font-size="15" role="img">',
             f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="#e4e7eb" stroke-width="{stroke}"/>']
    circumference = 2 * math.pi * r
    offset = 0.0
    for _, count, colour in segments:
        if not total or not count:
            continue
        length = circumference * count / total
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{colour}" stroke-width="{stroke}" '
                     f'stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
                     f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cy})"/>')
        offset += length
    parts.append(f'<text x="{cx}" y="{cy + 4}" text-anchor="middle" font-size="28" font-weight="bold" '
                 f'fill="#1f2933">{escape(centre)}</text>')
    parts.append(f'<text x="{cx}" y="{cy + 28}" text-anchor="middle" fill="#52606d">{escape(caption)}</text>')
    for i, (label, count, colour) in enumerate(segments):
        y = 60 + i * 34
        share = f"{count / total * 100:.1f}%" if total else "无"
        parts.append(f'<rect x="240" y="{y - 14}" width="18" height="18" rx="3" fill="{colour}"/>')
        parts.append(f'<text x="266" y="{y}" fill="#1f2933">{escape(label)}：{count} 条（{share}）</text>')
    parts.append("</svg>")
    return "".join(parts)


def _label(entry: Optional[Dict[str, Any]]) -> str:
    if not entry or not entry.get("intent"):
        return "无"
    return f"{entry['standard']}（{entry['intent']}）" if entry.get("standard") else entry["intent"]


def _strength_tag(strength: str) -> str:
    css = {"较大": "strong", "一般": "medium"}.get(strength, "weak")
    return f'<span class="tag {css}">把握{escape(strength)}</span>'


def _groups_table(report: Dict[str, Any]) -> str:
    groups = report["groups"]
    if not groups:
        return '<p>没有：所有问题都识别了，而且置信度都不低。</p>'
    rows = ['<table><tr><th>#</th><th>顾客的问法（次数）</th><th>建议意图</th><th>加到哪里</th></tr>']
    for g in groups:
        s = g["suggestion"]
        questions = "<br>".join(
            f"{escape(q['text'])} <span class=\"muted\">（{q['count']} 次"
            + "，" + kind_label(q)
            + (f"，已是 {escape(q['in_training'])} 的问法" if q.get("in_training") else "") + "）</span>"
            for q in g["questions"])
        if s.get("intent") and s.get("accepted"):
            suggestion = f"{escape(_label(s))}<br>{escape(s['category_label'])} {_strength_tag(s['strength'])}"
            if s.get("runner_up"):
                suggestion += f"<br><span class=\"muted\">也可能是 {escape(_label(s['runner_up']))}</span>"
            where = f"<code>{escape(s['file'])}" + (f":{s['line']}" if s.get("line") else "") + "</code>"
        elif s.get("intent"):
            suggestion = (f'{_strength_tag(s["strength"])} <span class="muted">最接近：{escape(_label(s))}，'
                          f'请自己判断</span>')
            where = '<span class="muted">店铺不回答的问题可以加到 <code>out_of_scope</code></span>'
        else:
            suggestion, where = '<span class="muted">无相近的意图，请自己判断</span>', ""
        rows.append(f"<tr><td>{g['id']}</td><td>{questions}</td><td>{suggestion}</td><td>{where}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


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
    recognised_high = totals["recognised"] - totals["low_confidence"]
    ring = donut([("识别，把握大", recognised_high, GREEN),
                  (f"识别，置信度低于 {report['min_confidence']:g}", totals["low_confidence"], ORANGE),
                  ("没听懂或兜底回复", totals["unrecognised"], RED)],
                 percent(rates["recognition"]), "识别率")
    intents = bar_chart([(_label(e), e["count"], f"{e['count']} 次") for e in report["top_intents"][:15]], BLUE)
    categories = bar_chart([(c["label"], c["count"], f"{c['count']} 次") for c in report["categories"]], GREEN, 300)
    reasons = bar_chart([(r["reason"], r["count"], f"{r['count']} 次") for r in report["handoff_reasons"]], RED, 300,
                        "没有会话转人工")
    assist_html = '<p class="muted">没有智能辅助记录（在 shell 的智能辅助模式里接待顾客后才会有）。</p>'
    if assist["available"]:
        assist_html = (f"<p>共 {assist['total']} 次，采纳机器人建议 {assist['adopted']} 次，"
                       f"采纳率 {percent(assist['rate'])}；客服自己写回复 {assist['custom_replies']} 次。</p>")
        if assist["corrections"]:
            assist_html += "<table><tr><th>顾客问题</th><th>机器人建议</th><th>客服选择</th></tr>" + "".join(
                f"<tr><td>{escape(c['text'])}</td><td>{escape(c['suggested'] or '无')}</td>"
                f"<td>{escape(c['chosen'])}</td></tr>" for c in assist["corrections"]) + "</table>"
    broken = ""
    if report["training"]["broken_files"]:
        broken = ('<section><h2>注意</h2><p>这些问法文件格式有误，没有用来比较：'
                  + "、".join(f"<code>{escape(f)}</code>" for f in report["training"]["broken_files"])
                  + "。先运行 <code>python -m bot check</code> 修好它们。</p></section>")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>问答诊断报告</title><style>{CSS}</style></head>
<body>
<header><h1>问答诊断报告（数据分析）</h1><p>{escape(subtitle)}</p></header>
<main>
<section><h2>总体数据</h2><div class="cards">
{''.join(f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for k, v in cards)}
</div>
<p class="muted">识别率 = 由识别出的意图回答的消息 / 全部顾客消息；未识别 = 没听懂（nlu_fallback）或对话兜底
（action_unrecognised）；转人工率 = 转过人工的会话 / 全部会话（共转人工 {totals['handoff_messages']} 次）。</p>
</section>
<section><div class="row">
<div><h2>识别情况</h2>{ring}</div>
<div><h2>转人工原因</h2>{reasons}</div>
</div></section>
<section><h2>问得最多的问题</h2>{intents}</section>
<section><h2>各类问题的消息数</h2>{categories}</section>
<section><h2>没听懂或把握不大的问题（按相似程度分组）</h2>
<p class="muted">每组是意思相近的问法。确认建议的意图对不对，再把问法加到右边的文件里；
用 <code>--export</code> 可以导出成直接粘贴的格式。</p>
{_groups_table(report)}</section>
<section><h2>智能辅助</h2>{assist_html}</section>
{broken}
<section><h2>下一步怎么改进</h2><ol>
<li>把上面每组问法加到建议的意图下（先自己判断建议对不对），每个意图至少 12 条问法。</li>
<li>“把握较小”或没有建议的问题：如果店铺不回答，就加到 <code>out_of_scope</code>；如果是新问题，新增一个意图。</li>
<li>识别了但答非所问：检查这个意图的问法是否和别的意图太像。</li>
<li>改完运行 <code>python -m bot check</code>、<code>python -m bot train</code>，再用 <code>shell</code> 测试。</li>
</ol></section>
</main></body></html>
"""

"""report.html and index.html: one self-contained file each (inline CSS and SVG charts).

The charts are drawn as SVG text, so they need no font installed on the grading
machine and stay sharp when printed; the browser draws the Chinese labels.
"""
from __future__ import annotations

from html import escape
from typing import Any, Dict, List, Optional, Tuple

from bot.grading.categories import AFTER_SALES, FALLBACK, HANDOFF, NEGATIVE, SILENT, UNREGISTERED, label
from bot.grading.report import first_line, pct
from bot.grading.scoring import STATUS_LABELS

CSS = """
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;
margin:0;background:#f5f6f8;color:#1f2329;line-height:1.6}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px} h2{font-size:19px;margin:28px 0 10px;border-left:4px solid #ff6a00;padding-left:8px}
.card{background:#fff;border-radius:8px;padding:16px 20px;margin:12px 0;box-shadow:0 1px 3px rgba(0,0,0,.08);overflow-x:auto}
.muted{color:#8a8f99;font-size:13px} .error{background:#fff1f0;border:1px solid #ffa39e;color:#a8071a}
.score{font-size:44px;font-weight:700;color:#ff6a00;line-height:1} .score small{font-size:18px;color:#8a8f99}
.grid{display:flex;gap:16px;flex-wrap:wrap} .grid>.card{flex:1;min-width:280px}
table{border-collapse:collapse;width:100%;font-size:14px} th,td{border-bottom:1px solid #eceef1;padding:6px 8px;
text-align:left;vertical-align:top} th{background:#fafafa;font-weight:600} td.num,th.num{text-align:right;white-space:nowrap}
.ok{color:#237804} .bad{color:#cf1322} .tag{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;
background:#f0f0f0;margin-right:4px;white-space:nowrap} .tag.bad{background:#fff1f0} .tag.ok{background:#f6ffed}
details summary{cursor:pointer} .reply details summary{color:#1677ff} .reply{white-space:pre-wrap;max-width:360px}
.turn{margin:6px 0 6px 12px;font-size:14px} .who{color:#8a8f99;margin-right:6px}
.formula dt{font-weight:600;margin-top:6px} .formula dd{margin:0 0 0 1em;color:#434a54}
a{color:#1677ff;text-decoration:none}
"""

SHORT = {"return": "退换货", "logistics": "物流", "quality": "质量", "negative": "负例", "basic": "基础问答",
         "product": "商品问答", "other": "其他", UNREGISTERED: "未登记", FALLBACK: "兜底", HANDOFF: "转人工",
         SILENT: "无回复"}
CONFUSION_COLUMNS = ["return", "logistics", "quality", "basic", "product", "other",
                     UNREGISTERED, FALLBACK, HANDOFF, SILENT]


def h(value: Any) -> str:
    return escape("" if value is None else str(value))


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{h(title)}</title><style>{CSS}</style></head><body><main>{body}</main></body></html>\n")


# ---------------------------------------------------------------- charts


def svg_open(width: float, height: float, title: str) -> str:
    """An SVG that keeps its proportions and shrinks to fit its card."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
            f'style="max-width:100%;height:auto" role="img" aria-label="{h(title)}" font-size="13">'
            f"<title>{h(title)}</title>")


def coverage_chart(report: Dict[str, Any]) -> str:
    """Horizontal bars: coverage per category, then negatives and scenarios."""
    rows: List[Tuple[str, Optional[float], str, str]] = []
    for data in report["categories"].values():
        rows.append((data["label"], data["coverage"], f"{data['covered']}/{data['total']}", "#ff6a00"))
    neg = report["negatives"]
    rows.append(("负例不误答", None if not neg["total"] else neg["correct"] / neg["total"],
                 f"{neg['correct']}/{neg['total']}", "#1677ff"))
    sc = report["scenarios"]
    rows.append(("多轮情景", sc["pass_rate"], f"{sc['passed']}/{sc['total']}", "#13a8a8"))
    left, bar, row_h = 110, 420, 34
    svg_h = row_h * len(rows) + 24
    parts = [svg_open(left + bar + 130, svg_h, "各类别覆盖率")]
    for x in (0, 0.5, 1):
        gx = left + bar * x
        parts.append(f'<line x1="{gx}" y1="4" x2="{gx}" y2="{svg_h - 18}" stroke="#e5e6eb"/>'
                     f'<text x="{gx}" y="{svg_h - 4}" text-anchor="middle" fill="#8a8f99">{int(x * 100)}%</text>')
    for i, (name, value, count, color) in enumerate(rows):
        y = 8 + i * row_h
        parts.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="#1f2329">{h(name)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{bar}" height="18" rx="3" fill="#f2f3f5"/>')
        if value is None:
            parts.append(f'<text x="{left + 8}" y="{y + 17}" fill="#8a8f99">N/A（没有题目）</text>')
            continue
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{bar * value:.1f}" height="18" rx="3" fill="{color}"/>')
        parts.append(f'<text x="{left + bar + 8}" y="{y + 17}" fill="#1f2329">{pct(value)}（{h(count)}）</text>')
    parts.append("</svg>")
    return "".join(parts)


def confusion_chart(report: Dict[str, Any]) -> str:
    """What the bot did (columns) with each kind of question (rows)."""
    confusion = report.get("confusion") or {}
    rows = [c for c in list(AFTER_SALES) + [NEGATIVE] if c in confusion]
    if not rows:
        return '<p class="muted">没有数据。</p>'
    columns = [c for c in CONFUSION_COLUMNS if any(confusion[r].get(c) for r in rows)]
    left, top, cw, ch = 70, 30, 66, 34
    width, height = left + cw * len(columns) + 10, top + ch * len(rows) + 10
    parts = [svg_open(width, height, "类别混淆")]
    for j, column in enumerate(columns):
        parts.append(f'<text x="{left + cw * j + cw / 2}" y="{top - 10}" text-anchor="middle" '
                     f'fill="#434a54">{h(SHORT.get(column, column))}</text>')
    for i, row in enumerate(rows):
        total = sum(confusion[row].values()) or 1
        y = top + ch * i
        parts.append(f'<text x="{left - 8}" y="{y + ch / 2 + 5}" text-anchor="end" fill="#434a54">{h(SHORT[row])}</text>')
        for j, column in enumerate(columns):
            count = confusion[row].get(column, 0)
            share = count / total
            good = (column == row) if row != NEGATIVE else column not in AFTER_SALES
            rgb = (82, 196, 26) if good else (245, 34, 45)
            alpha = 0.08 + 0.85 * share if count else 0.03
            parts.append(f'<rect x="{left + cw * j}" y="{y}" width="{cw - 2}" height="{ch - 2}" '
                         f'fill="rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha:.2f})"/>')
            if count:
                colour = "#fff" if share > 0.55 else "#1f2329"
                parts.append(f'<text x="{left + cw * j + cw / 2 - 1}" y="{y + ch / 2 + 4}" text-anchor="middle" '
                             f'fill="{colour}">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def score_histogram(scores: List[float]) -> str:
    bins = [0] * 10
    for s in scores:
        bins[min(9, int(s // 10))] += 1
    peak = max(bins) or 1
    bw, hgt, left, top = 56, 140, 10, 22
    parts = [svg_open(left + bw * 10 + 10, top + hgt + 30, "分数分布")]
    for i, n in enumerate(bins):
        bh = hgt * n / peak
        x = left + bw * i
        parts.append(f'<rect x="{x + 4}" y="{top + hgt - bh:.1f}" width="{bw - 8}" height="{bh:.1f}" fill="#ff6a00" rx="2"/>')
        if n:
            parts.append(f'<text x="{x + bw / 2}" y="{top + hgt - bh - 5:.1f}" text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + bw / 2}" y="{top + hgt + 20}" text-anchor="middle" fill="#8a8f99">'
                     f'{i * 10}-{i * 10 + 9 if i < 9 else 100}</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- report.html


def _points(part: Dict[str, Any]) -> str:
    return "N/A" if part["points"] is None else f"{part['points']:.1f} / {part['max_points']:.1f}"


def _score_text(score: Optional[float]) -> str:
    return "—" if score is None else f"{score:.1f}"


def _score_card(report: Dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{h(p['label'])}</td><td class='num'>{pct(p['value'])}</td><td class='num'>{p['weight']:g}</td>"
        f"<td class='num'>{_points(p)}</td></tr>"
        for p in report["score_parts"].values())
    return (f'<div class="card"><div class="score">{_score_text(report["score"])}<small> / 100</small></div>'
            f'<table><tr><th>评分项</th><th class="num">得分率</th><th class="num">权重</th><th class="num">得分</th></tr>'
            f"{rows}</table></div>")


def _rates_card(report: Dict[str, Any]) -> str:
    keys = {"识别率": "recognition", "覆盖率": "coverage", "误答率": "misanswer", "转人工率": "handoff",
            "负例误答率": "negative_misroute", "情景通过率": "scenario_pass"}
    items = "".join(f"<dt>{h(f['name'])}：{pct(report['rates'].get(keys[f['name']]))}</dt><dd>{h(f['formula'])}</dd>"
                    for f in report["formulas"])
    return f'<div class="card"><dl class="formula">{items}</dl></div>'


def _failed_questions(report: Dict[str, Any]) -> str:
    failed = [q for q in report.get("questions") or [] if q["status"] not in ("covered", "correct")]
    if not failed:
        return '<p class="ok">全部答对。</p>'
    rows = []
    for q in failed:
        understood = (f"{h(q['intent'] or '—')}<br><span class='tag bad'>{h(STATUS_LABELS.get(q['status'], q['status']))}</span>"
                      f"<span class='tag'>{h(label(q['got']))}</span>")
        reply = q["reply"] or "（没有回复）"
        short = reply if len(reply) <= 60 else reply[:60] + "……"
        reply_html = (f"<div class='reply'>{h(short)}</div>" if len(reply) <= 60 else
                      f"<details><summary>{h(short)}</summary><div class='reply'>{h(reply)}</div></details>")
        words = "；".join("|".join(group) for group in q.get("must_include") or [])
        must = f"<br><span class='muted'>必含：{h(words)}</span>" if words else ""
        rows.append(f"<tr><td>{h(q['id'])}</td><td>{h(SHORT.get(q['category'], q['category']))}</td><td>{h(q['text'])}{must}</td>"
                    f"<td>{understood}</td><td class='num'>{q['confidence']:.2f}</td><td>{reply_html}</td>"
                    f"<td>{h(q['hint'])}</td></tr>")
    return ("<table><tr><th>编号</th><th>类别</th><th>问题</th><th>机器人的理解</th><th class='num'>置信度</th>"
            "<th>回复</th><th>建议</th></tr>" + "".join(rows) + "</table>")


def _failure_counts(report: Dict[str, Any]) -> str:
    rows = []
    for data in report["categories"].values():
        reasons = "".join(f"<span class='tag bad'>{h(STATUS_LABELS.get(k, k))} {v}</span>"
                          for k, v in data["failures"].items()) or "<span class='ok'>全部答对</span>"
        rows.append(f"<tr><td>{h(data['label'])}</td><td class='num'>{data['total'] - data['covered']}</td><td>{reasons}</td></tr>")
    neg = report["negatives"]
    rows.append(f"<tr><td>负例（非售后）</td><td class='num'>{neg['misrouted'] + neg.get('leaked', 0)}</td>"
                f"<td>误答 {neg['misrouted']}，泄题 {neg.get('leaked', 0)}</td></tr>")
    return ("<p class='muted'>学生版报告只列出每类没答对的题数和原因，不显示考题。</p><table><tr><th>类别</th>"
            "<th class='num'>没答对</th><th>原因</th></tr>" + "".join(rows) + "</table>")


def _scenarios(report: Dict[str, Any]) -> str:
    sc = report["scenarios"]
    if not sc["total"]:
        return '<p class="muted">这次评分没有多轮情景。</p>'
    cards = []
    for item in sc["items"]:
        badge = "<span class='tag ok'>通过</span>" if item["passed"] else "<span class='tag bad'>未通过</span>"
        body = [f"<b>{h(item['name'])}</b> {badge} <span class='tag'>{h(label(item['category']))}</span>"]
        if item.get("order_id"):
            body.append(f"<span class='muted'>订单 {h(item['order_id'])}</span>")
        if item.get("error"):
            body.append(f"<div class='bad'>{h(item['error'])}</div>")
        for number, turn in enumerate(item["turns"], 1):
            lines = []
            if "say" in turn:
                lines.append(f"<div><span class='who'>顾客</span>{h(turn['say'])}</div>")
                for reply in turn.get("replies") or ["（没有回复）"]:
                    lines.append(f"<div class='reply'><span class='who'>小悦</span>{h(reply)}</div>")
            lines.append(f"<div class='muted'>第 {number} 轮：意图 {h(turn.get('intent') or '—')}，动作 "
                         f"{h(' → '.join(turn.get('actions') or []) or '无')}</div>")
            for check in turn["checks"]:
                mark = "<span class='ok'>✓</span>" if check["ok"] else "<span class='bad'>✗</span>"
                got = "" if check["ok"] else f"<span class='bad'>（实际：{h(check['got'])}）</span>"
                lines.append(f"<div>{mark} {h(check['what'])}{got}</div>")
            body.append(f"<div class='turn'>{''.join(lines)}</div>")
        if item["passed"]:  # passed scenarios fold away; the failed ones stay open
            body = [f"<details><summary>{body[0]}</summary>{''.join(body[1:])}</details>"]
        cards.append(f"<div class='card'>{''.join(body)}</div>")
    return "".join(cards)


def _findings(report: Dict[str, Any]) -> str:
    items: List[str] = []
    leaks = report["leaks"]
    if leaks["count"]:
        text = f"泄题：{leaks['count']} 道考题在训练数据里有相同或几乎相同的句子，这些题不计入覆盖。"
        details = "".join(
            f"<li>{h(i['id'])}“{h(i['text'])}” ≈ {h(i['examples'][0]['place'])}“{h(i['examples'][0]['text'])}”"
            f"（相似度 {i['examples'][0]['similarity']:.2f}）</li>" for i in leaks.get("items") or [])
        items.append(f"<li class='bad'>{h(text)}{'<ul>' + details + '</ul>' if details else ''}</li>")
    hygiene = report.get("hygiene") or {}
    for i in hygiene.get("broken_files") or []:
        items.append(f"<li class='bad'>读不了 {h(i['file'])}：{h(i['message'])}</li>")
    for i in hygiene.get("thin_intents") or []:
        where = f"（{h(i['file'])}:{i['line']}）" if i.get("file") else ""
        items.append(f"<li>意图 {h(i['intent'])} 只有 {i['count']} 条相似问法{where}</li>")
    for i in hygiene.get("conflicts") or []:
        items.append(f"<li>“{h(i['text'])}”同时在 {h('、'.join(i['intents']))} 下：{h('、'.join(i['places']))}</li>")
    for i in hygiene.get("near_duplicates") or []:
        items.append(f"<li>{h(i['intent'])} 里重复：“{h(i['a'])}”和“{h(i['b'])}”（{h('、'.join(i['places']))}）</li>")
    quality = report.get("answer_quality") or {}
    for name in quality.get("unanswered_intents") or []:
        items.append(f"<li>意图 {h(name)} 没有规则或故事，机器人不会回答它</li>")
    for name in quality.get("conditional_missing") or []:
        items.append(f"<li>意图 {h(name)} 应当先要订单号、按订单状态回答（规则里用 order_form）</li>")
    for i in quality.get("responses") or []:
        items.append(f"<li>答案 {h(i['response'])}：{h('；'.join(i['problems']))}<br><span class='muted'>{h(i['text'][:120])}</span></li>")
    if not items:
        return "<p class='ok'>没有发现问题。</p>"
    summary = (f"<p class='muted'>意图 {hygiene.get('intents', 0)} 个，相似问法 {hygiene.get('examples', 0)} 条；"
               f"训练数据问题 {hygiene.get('findings', 0)} 个，答案问题 {quality.get('findings', 0)} 个。</p>")
    return summary + "<ul>" + "".join(items) + "</ul>"


def _checker(report: Dict[str, Any]) -> str:
    checker = report.get("checker") or {}
    findings = checker.get("findings") or []
    if not findings:
        return ""
    from bot.grading.report import MAX_CHECKER_LINES

    items = "".join(
        f"<li><span class='tag {'bad' if f['severity'] == 'error' else ''}'>{'错误' if f['severity'] == 'error' else '警告'}</span>"
        f"{h(f['where'])}：{h(f['message'])}{'<br><span class=muted>' + h(f['fix']) + '</span>' if f.get('fix') else ''}</li>"
        for f in findings[:MAX_CHECKER_LINES])
    more = (f"<p class='muted'>共 {len(findings)} 条，运行 python -m bot check 查看全部。</p>"
            if len(findings) > MAX_CHECKER_LINES else "")
    return (f"<h2>数据检查（python -m bot check）</h2><div class='card'><p class='muted'>错误 {checker['errors']} 条，"
            f"警告 {checker['warnings']} 条（不计分，供修改参考）。</p><ul>{items}</ul>{more}</div>")


def render_report(report: Dict[str, Any]) -> str:
    name = report["project"]["name"]
    teacher = report["view"] == "teacher"
    body = [f"<h1>评分报告：{h(name)}</h1>",
            f"<div class='muted'>{h(report['generated_at'].replace('T', ' '))} · "
            f"{'教师版（含考题）' if teacher else '学生版（不含考题）'} · 题库 {sum(b['questions'] for b in report['banks'])} 题</div>"]
    if report["error"]:
        body.append(f"<div class='card error'><b>没有运行起来</b>（{h(report.get('stage') or '')}）："
                    f"<div class='reply'>{h(report['error'])}</div></div>")
    body.append(f"<div class='grid'>{_score_card(report)}<div class='card'><b>各类别覆盖率</b>{coverage_chart(report)}</div></div>")
    body.append("<h2>类别的定义</h2><div class='card'><ul>" + "".join(
        f"<li><b>{h(d['label'])}</b>（答对 {d['covered']} 题，其中类别兜底 {d.get('category_fallback', 0)} 题）："
        f"{h(d.get('definition', ''))}</li>" for d in report["categories"].values()) + "</ul></div>")
    body.append("<h2>指标和公式</h2>" + _rates_card(report))
    body.append("<h2>类别混淆</h2><div class='card'><p class='muted'>行是题目的类别，列是机器人实际的处理："
                "绿色是正确的处理，红色是错误的；颜色越深占比越大。</p>" + confusion_chart(report) + "</div>")
    body.append("<h2>没答对的题目</h2><div class='card'>" + (_failed_questions(report) if teacher else _failure_counts(report)) + "</div>")
    body.append("<h2>多轮情景</h2>" + _scenarios(report))
    body.append("<h2>训练数据和答案</h2><div class='card'>" + _findings(report) + "</div>")
    body.append(_checker(report))
    if teacher:
        problems = [p for b in report.get("banks") or [] for p in b.get("problems") or []]
        if problems:
            body.append("<h2>题库提示</h2><div class='card'><ul>" + "".join(f"<li>{h(p)}</li>" for p in problems) + "</ul></div>")
    body.append(f"<p class='muted'>评分细则：{h(report['rubric']['source'])}。report.json 是这份报告的原始数据。</p>")
    return page(f"评分报告：{name}", "".join(body))


def render_index(entries: List[Tuple[str, Dict[str, Any]]]) -> str:
    scores = [r["score"] for _, r in entries if r["score"] is not None and not r["error"]]
    rows = []
    for folder, r in entries:
        link = f"<a href='{h(folder)}/report.html'>{h(r['project']['name'])}</a>"
        if r["error"]:
            status = f"<span class='bad'>出错：{h(first_line(r['error']))}</span>"
        else:
            status = "<span class='ok'>完成</span>"
        cov = "".join(f"<td class='num'>{pct(r['categories'][c]['coverage'])}</td>" for c in AFTER_SALES)
        neg = r["negatives"]
        rows.append(f"<tr><td>{link}</td>{cov}<td class='num'>{neg['misrouted']}/{neg['total']}</td>"
                    f"<td class='num'>{r['scenarios']['passed']}/{r['scenarios']['total']}</td>"
                    f"<td class='num'>{(r.get('hygiene') or {}).get('findings', 0)}</td>"
                    f"<td class='num'>{r['leaks']['count']}</td>"
                    f"<td class='num'><b>{_score_text(r['score'])}</b></td><td>{status}</td></tr>")
    summary = (f"{len(entries)} 个项目，平均分 {sum(scores) / len(scores):.1f}，最高 {max(scores):.1f}，最低 {min(scores):.1f}"
               if scores else f"{len(entries)} 个项目")
    body = ("<h1>班级评分</h1>" + f"<div class='muted'>{h(summary)} · 明细见 class.csv</div>"
            + (f"<div class='card'><b>分数分布</b><br>{score_histogram(scores)}</div>" if scores else "")
            + "<div class='card'><table><tr><th>学生</th><th class='num'>退换货</th><th class='num'>物流</th>"
              "<th class='num'>质量</th><th class='num'>负例误答</th><th class='num'>情景</th>"
              "<th class='num'>数据问题</th><th class='num'>泄题</th><th class='num'>得分</th><th>状态</th></tr>"
            + "".join(rows) + "</table></div>")
    return page("班级评分", body)

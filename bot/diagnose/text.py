"""The terminal rendering of a diagnosis report (Chinese, aligned for CJK widths)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.textwidth import pad, width

# Groups shown in the terminal; the HTML page and the export have all of them.
MAX_GROUPS = 12
MAX_QUESTIONS_PER_GROUP = 6
MAX_INTENTS = 10
# How a listed question was (not) understood; a low-confidence one shows its confidence.
KIND_LABELS = {"unrecognised": "没听懂", "core_fallback": "识别了但走了兜底回复"}


def percent(value: Optional[float]) -> str:
    return "无" if value is None else f"{value * 100:.1f}%"


def kind_label(question: Dict[str, Any]) -> str:
    return KIND_LABELS.get(question["kind"]) or f"置信度 {question['confidence']:.2f}"


def intent_label(entry: Optional[Dict[str, Any]], quoted: bool = True) -> str:
    """"包邮吗（ask_shipping_fee）": the standard question students know, and the name
    (the standard question in quotes in the terminal, without them on the HTML page)."""
    if not entry or not entry.get("intent"):
        return "无"
    if not (standard := entry.get("standard")):
        return entry["intent"]
    return f"“{standard}”（{entry['intent']}）" if quoted else f"{standard}（{entry['intent']}）"


def table(rows: List[List[str]], right: List[bool]) -> List[str]:
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(pad(cell, widths[i], right[i]) for i, cell in enumerate(row)).rstrip()
            for row in rows]


def render(report: Dict[str, Any]) -> str:
    totals, rates, assist = report["totals"], report["rates"], report["assist"]
    period = report.get("period")
    out = [f"问答诊断（数据分析）  项目：{report['project']}",
           f"对话记录：{report['database']}" + (f"，{period['first']} 至 {period['last']}" if period else ""),
           "", "一、总体数据"]
    rows = [
        ["会话数", str(totals["conversations"]), ""],
        ["顾客消息数", str(totals["messages"]), ""],
        ["识别率", percent(rates["recognition"]), f"{totals['recognised']}/{totals['messages']} 条消息由识别出的意图回答"],
        ["未识别率", percent(rates["fallback"]),
         f"{totals['unrecognised']}/{totals['messages']}（没听懂 {totals['nlu_fallback']}，"
         f"对话兜底 {totals['core_fallback']}）"],
        ["低置信度", percent(rates["low_confidence"]),
         f"{totals['low_confidence']} 条识别了但置信度低于 {report['min_confidence']:g}"],
        ["转人工率", percent(rates["handoff"]),
         f"{totals['handoff_conversations']}/{totals['conversations']} 个会话转了人工（共 {totals['handoff_messages']} 次）"],
        ["智能辅助采纳率", percent(assist["rate"]),
         f"{assist['adopted']}/{assist['total']} 次采纳了机器人的建议" if assist["available"] else "没有智能辅助记录"],
    ]
    out += table(rows, [False, True, False])
    if report["handoff_reasons"]:
        out.append("  转人工原因：" + "；".join(f"{r['reason']} {r['count']} 次" for r in report["handoff_reasons"]))

    out += ["", "二、问得最多的问题（已识别的意图）"]
    if report["top_intents"]:
        rows = [["意图", "类别", "次数", "占比", "平均置信度"]] + [
            [intent_label(entry), entry["category_label"], str(entry["count"]), percent(entry["share"]),
             f"{entry['mean_confidence']:.2f}"] for entry in report["top_intents"][:MAX_INTENTS]]
        out += table(rows, [False, False, True, True, True])
        if len(report["top_intents"]) > MAX_INTENTS:
            out.append(f"  ……另有 {len(report['top_intents']) - MAX_INTENTS} 个意图，见 --html 报告")
    else:
        out.append("  （还没有识别出的意图）")

    groups = report["groups"]
    out += ["", f"三、没听懂或把握不大的问题（按相似程度分成 {len(groups)} 组）"]
    if not groups:
        out.append("  没有：所有问题都识别了，而且置信度都不低。")
    for group in groups[:MAX_GROUPS]:
        s = group["suggestion"]
        out.append(f"  第 {group['id']} 组：{len(group['questions'])} 种问法，共 {group['messages']} 次，"
                   f"来自 {group['conversations']} 个会话")
        out += [f"    - {q['text']}（{q['count']} 次，{kind_label(q)}"
                + (f"，已是 {q['in_training']} 的问法" if q.get("in_training") else "") + "）"
                for q in group["questions"][:MAX_QUESTIONS_PER_GROUP]]
        if len(group["questions"]) > MAX_QUESTIONS_PER_GROUP:
            out.append(f"    ……还有 {len(group['questions']) - MAX_QUESTIONS_PER_GROUP} 种问法")
        if not s.get("intent"):
            out.append("    建议意图：无（没有相近的训练问法），请自己判断属于哪个意图")
            continue
        if s["accepted"]:
            out.append(f"    建议意图：{intent_label(s)}，{s['category_label']}，把握{s['strength']}"
                       + (f"；也可能是 {intent_label(s['runner_up'])}" if s.get("runner_up") else ""))
        else:
            out.append(f"    建议意图：把握较小，最接近的是 {intent_label(s)}")
        evidence = s.get("evidence") or {}
        reasons = []
        if "model" in evidence:
            reasons.append(f"模型排第一的是 {evidence['model']['intent']}（{evidence['model']['confidence']:.2f}）")
        if "nearest_example" in evidence:
            e = evidence["nearest_example"]
            reasons.append(f"最像的训练问法“{e['text']}”（{e['intent']}，{e['where']}，相似度 {e['similarity']:.2f}）")
        if reasons:
            out.append("    依据：" + "；".join(reasons))
        where = f"{s['file']}:{s['line']}" if s.get("line") else s["file"]
        if s["accepted"]:
            out.append(f"    怎么改：确认无误后，把这些问法加到 {where} 的意图 {s['intent']} 下面，再重新训练")
        else:
            out.append("    怎么改：把握较小，请自己判断属于哪个意图；店铺不回答的问题可以加到 out_of_scope")
    if len(groups) > MAX_GROUPS:
        out.append(f"  ……还有 {len(groups) - MAX_GROUPS} 组，见 --html 报告或 --export 导出的文件")
    if report["totals"].get("omitted_questions"):
        out.append(f"  另有 {report['totals']['omitted_questions']} 条只问过很少几次的消息没有分组（问题种类太多）。")
    if report["totals"]["symbols_only"]:
        out.append(f"  另有 {report['totals']['symbols_only']} 条只有表情、标点或订单号的消息没有列出。")

    if assist["available"] and (assist["corrections"] or assist["custom_replies"]):
        out += ["", "四、智能辅助：客服没有采纳机器人建议的问题"]
        out += [f"  - {c['text']}：机器人建议 {c['suggested'] or '无'}，客服选了 {c['chosen']}"
                for c in assist["corrections"][:MAX_GROUPS]]
        if assist["custom_replies"]:
            out.append(f"  另有 {assist['custom_replies']} 次客服自己写了回复：这些问题可能需要新的意图或更好的答案。")

    if not report["training"]["examples"]:
        out += ["", f"注意：{report['project']}/data/nlu/ 里没有找到问法，建议的意图只根据模型的排名。"
                    "请确认 --project 指向你的工作区。"]
    if report["training"]["broken_files"]:
        out += ["", "注意：这些问法文件格式有误，没有用来比较："
                + "、".join(report["training"]["broken_files"]) + "。先运行 python -m bot check 修好它们。"]
    return "\n".join(out)

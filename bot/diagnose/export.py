"""`--export`: the suggested questions as an NLU snippet the student reviews and pastes."""
from __future__ import annotations

from typing import Any, Dict, List, Tuple


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _place(file: str, line: Any) -> str:
    return f"{file} 第 {line} 行" if line else f"{file}（文件末尾新加这个意图）"


def export_yaml(report: Dict[str, Any]) -> str:
    """The export file's text: comments in Chinese, then `version` and `nlu:` (valid YAML)."""
    blocks: Dict[str, Dict[str, Any]] = {}
    unsure: List[Tuple[str, Any]] = []
    conflicts: List[Tuple[str, str]] = []
    for group in report["groups"]:
        suggestion = group["suggestion"]
        for question in group["questions"]:
            text = _clean(question["text"])
            if (known := question.get("in_training")):
                if known != suggestion.get("intent"):
                    conflicts.append((text, known))
                continue
            if not suggestion.get("accepted"):
                unsure.append((text, suggestion.get("intent")))
                continue
            block = blocks.setdefault(suggestion["intent"], {"suggestion": suggestion, "texts": {}, "strengths": []})
            block["texts"][text] = None  # a dict: each text once, in the order first seen
        if suggestion.get("accepted") and suggestion["intent"] in blocks:
            blocks[suggestion["intent"]]["strengths"].append(suggestion["strength"])
    corrections: Dict[str, Dict[str, Any]] = {}
    for correction in report["assist"]["corrections"]:
        entry = corrections.setdefault(correction["chosen"], {"standard": correction.get("chosen_standard"),
                                                              "texts": {}})
        entry["texts"][_clean(correction["text"])] = None

    count = sum(len(b["texts"]) for b in blocks.values()) + sum(len(c["texts"]) for c in corrections.values())
    lines = [
        f"# 问答诊断导出的相似问法（{report['generated_at']} 生成，共 {count} 条，项目 {report['project']}）",
        "# 来源：对话记录里机器人没听懂或把握不大的顾客问题，已按建议的意图分好。",
        "# 用法：",
        "#   1. 逐条检查：删掉不合适的问法；建议的意图不对，就把问法挪到正确的意图下面。",
        "#   2. 把每个意图下面的“- 问法”行，复制到提示的文件里同名意图的 examples: | 下面（行首保留 4 个空格）。",
        "#   3. 运行 python -m bot check 检查，再 python -m bot train 重新训练，用 shell 测一测。",
        'version: "3.1"',
    ]
    lines += ["nlu:"] if blocks or corrections else ["# 这次没有可以导出的建议问法。", "nlu: []"]
    order = sorted(blocks.values(), key=lambda b: (b["suggestion"]["file"], b["suggestion"].get("line") or 10 ** 9,
                                                   b["suggestion"]["intent"]))
    for block in order:
        s = block["suggestion"]
        strengths = "、".join(f"{name} {block['strengths'].count(name)} 组"
                             for name in ("较大", "一般") if name in block["strengths"])
        lines += ["",
                  f"# ↓ 复制到 {_place(s['file'], s.get('line'))}的“- intent: {s['intent']}”下面",
                  f"#   （{s['category_label']}，标准问题：{s.get('standard') or '无'}；把握：{strengths}）",
                  f"- intent: {s['intent']}", "  examples: |"]
        lines += [f"    - {text}" for text in block["texts"]]
    for intent, entry in corrections.items():
        place = report.get("intent_files", {}).get(intent) or {}   # where the intent lives in data/nlu/
        lines += ["",
                  f"# ↓ 来自智能辅助：客服人工选了这个意图。复制到 "
                  f"{_place(place.get('file', 'data/nlu/other.yml'), place.get('line'))}的“- intent: {intent}”下面",
                  f"#   （标准问题：{entry['standard'] or '无'}）",
                  f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in entry["texts"]]
    if unsure:
        lines += ["", "# 以下问题没有把握归到哪个意图，请自己判断；要加的话去掉行首的 #，放到合适的意图下面："]
        lines += [f"#    - {text}" + (f"    （最接近：{intent}）" if intent else "") for text, intent in unsure]
    if conflicts:
        lines += ["", "# 注意：下面的问题已经是训练问法，机器人却还是没认出来。检查这个意图的问法是不是和别的意图太像："]
        lines += [f"#    - {text}（在意图 {intent} 下）" for text, intent in conflicts]
    return "\n".join(lines) + "\n"

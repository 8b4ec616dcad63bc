"""`diagnose`: 问答诊断 — figures, top questions and what the bot did not understand."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot import console
from bot.chinese_argparse import number
from bot.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

HELP = "问答诊断（数据分析）：识别率、转人工率、问得最多的问题，以及机器人没听懂的问题和建议的意图"


confidence = number(float, lambda value: not 0.0 <= value <= 1.0, "需要 0 到 1 之间的小数",
                    "需要 0 到 1 之间的小数，收到的是 {text}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", default=".", metavar="目录", help="项目目录（默认当前目录），读取其中的 var/conversations.db")
    parser.add_argument("--tracker-store", metavar="postgresql://…",
                        help="全班共用的对话记录库：和 serve 的 --tracker-store 写同一个地址（默认读项目里的 var/conversations.db）")
    parser.add_argument("--export", metavar="文件", help="把建议的相似问法导出成 YAML，审核后粘贴到 data/nlu/")
    parser.add_argument("--html", metavar="文件", help="生成带图表的中文网页报告（可以在课堂上投影）")
    parser.add_argument("--json", metavar="文件", help="把全部诊断数据写成 JSON（给老师或其他工具用）")
    parser.add_argument("--min-confidence", type=confidence, default=0.4, metavar="X",
                        help="识别了但置信度低于 X 的问题也列出来（0 到 1，默认 0.4）")


def _write(path_text: str, content: str, what: str) -> bool:
    path = Path(path_text).expanduser()
    if path.is_dir():
        console.error(f"{path} 是一个文件夹：--{what} 后面请写文件名，例如 {path / ('诊断报告.html' if what == 'html' else '建议问法.yml')}")
        return False
    if not path.parent.exists():
        console.error(f"找不到文件夹 {path.parent}：请先建好它，或换一个位置保存 --{what} 的文件。")
        return False
    path.write_text(content, "utf-8")
    return True


def run(args: argparse.Namespace) -> int:
    from bot.diagnose import LogError, analyse, read_log

    root = Path(args.project).resolve()
    database = root / "var" / "conversations.db"
    try:
        log = read_log(database, args.tracker_store)
    except LogError as exc:
        console.error(str(exc))
        return EXIT_FAILED
    if not log.exists or log.empty:
        reason = "还没有对话记录文件" if not log.exists else "对话记录是空的"
        console.info(f"{reason}（{log.source or database}），没有可以诊断的内容。")
        console.info(f"先和机器人聊几句：python -m bot shell --project {args.project}，"
                     "像顾客一样多问一些问题，再运行诊断。")
        if args.export or args.html or args.json:
            console.info("没有数据，所以没有生成导出文件和报告。")
        return EXIT_OK
    report = analyse(root, log, args.min_confidence)
    console.info(_render("text", report))
    written = []
    for option, label in (("export", "建议问法"), ("html", "网页报告"), ("json", "JSON 数据")):
        target = getattr(args, option)
        if target is None:
            continue
        if not _write(target, _render(option, report), option):
            return EXIT_USAGE
        written.append(f"{label}：{Path(target).expanduser().resolve()}")
    console.info("")
    if written:
        console.info("已生成 " + "；".join(written))
    if report["groups"] and not args.export:
        console.info("提示：加 --export 建议问法.yml 可以把建议的问法导出来，审核后粘贴到 data/nlu/。")
    return EXIT_OK


def _render(kind: str, report) -> str:
    """The report as terminal text, an NLU snippet, a web page or JSON; each renderer is
    imported only when asked for."""
    if kind == "text":
        from bot.diagnose.text import render
        return render(report)
    if kind == "export":
        from bot.diagnose.export import export_yaml
        return export_yaml(report)
    if kind == "html":
        from bot.diagnose.html import render_html
        return render_html(report)
    return json.dumps(report, ensure_ascii=False, indent=2)

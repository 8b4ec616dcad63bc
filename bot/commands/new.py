"""`new`: create a student workspace from the reference shop (like 店小蜜's 行业包)."""
from __future__ import annotations

import argparse
from pathlib import Path

from bot import console
from bot.chinese_argparse import number
from bot.exit_codes import EXIT_OK, EXIT_USAGE
from bot.project import REFERENCE_ROOT

HELP = "从参考店铺创建一个学生练习工作区（像订阅店小蜜的行业包：意图建好，每个意图一条标准问题，答案待写）"


count = number(int, lambda value: value < 0, "需要一个整数", "不能是负数")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="文件夹", help="新工作区的位置（不存在或空的文件夹）")
    parser.add_argument("--keep-examples", type=count, default=0, metavar="N",
                        help="（老师用）每个意图除标准问题外，再保留参考项目的前 N 条相似问法；默认 0")
    parser.add_argument("--keep-answers", action="store_true", help="（老师用）保留参考项目写好的答案，不留空")


def run(args: argparse.Namespace) -> int:
    from bot.project_files import ProjectFileError
    from bot.workspace import create_workspace

    target = Path(args.directory).expanduser()
    try:
        summary = create_workspace(target, REFERENCE_ROOT, keep_examples=args.keep_examples,
                                   keep_answers=args.keep_answers)
    except ProjectFileError as exc:  # a WorkspaceError, or a broken reference file
        console.error(str(exc))
        return EXIT_USAGE
    root = summary.root
    intents = sum(summary.intents_by_category.values())
    console.info(f"已创建练习工作区：{root}")
    console.info(f"  意图 {intents} 个（" + "、".join(
        f"{label} {n}" for label, n in summary.intents_by_category.items()) + f"），相似问法共 {summary.examples} 条")
    console.info(f"  待写的答案 {summary.placeholders} 个：domain.yml 里的“【请在这里写答案】……”"
                 if summary.placeholders else "  答案保留了参考项目的话术")
    for warning in summary.warnings:
        console.info(f"  注意：{warning}")
    console.info(f"下一步：打开 {root / 'README.md'}，按里面的步骤练习。常用命令（在参考项目文件夹 {REFERENCE_ROOT} 里运行）：")
    for command in ("check", "train", "shell", "diagnose"):
        console.info(f"  python3 start.py {command} --project {root}")
    return EXIT_OK

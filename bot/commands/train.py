"""`train`: train the model, skipping it when nothing changed."""
from __future__ import annotations

import argparse

from bot import console
from bot.commands import train_or_report
from bot.exit_codes import EXIT_FAILED, EXIT_OK
from bot.project import Project

HELP = "训练模型（数据没变时跳过）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", default=".", metavar="目录", help="项目目录（默认当前目录）")
    parser.add_argument("--force", action="store_true", help="数据没变也重新训练")
    parser.add_argument("--verbose", action="store_true", help="显示 Rasa 的完整输出")


def run(args: argparse.Namespace) -> int:
    model = train_or_report(Project.at(args.project), args.verbose, force=args.force)
    if model is None:
        return EXIT_FAILED
    console.info(f"模型已就绪：{model}")
    return EXIT_OK

"""`shell`: train if needed, start the action server and chat in the terminal."""
from __future__ import annotations

import argparse
import asyncio

from bot.commands import train_or_report
from bot.exit_codes import EXIT_FAILED
from bot.project import Project

HELP = "训练（如需要）、启动动作服务器并在终端里对话"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", default=".", metavar="目录", help="项目目录（默认当前目录）")
    parser.add_argument("--assist", action="store_true", help="智能辅助模式：每条消息给出 3 个推荐答案，由你选择或自己回复")
    parser.add_argument("--debug", action="store_true", help="每轮显示意图、置信度、实体、槽位和动作")
    parser.add_argument("--product", metavar="商品", help="顾客正在浏览的商品（编号或名称）")
    parser.add_argument("--order", metavar="订单号", help="当前买家的订单号")
    parser.add_argument("--verbose", action="store_true", help="显示 Rasa 的完整输出（训练和对话日志）")


def run(args: argparse.Namespace) -> int:
    from bot.shell import chat

    project = Project.at(args.project)
    model = train_or_report(project, args.verbose)
    if model is None:
        return EXIT_FAILED
    return asyncio.run(chat(project, model, args))

"""`python -m bot` (or `dxm`): the commands students and teachers use."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import List, Optional

from bot import console
from bot.project import Project
from bot.training import TrainingError, train

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="店小蜜式智能客服实训工具：训练、对话测试。",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")

    p = sub.add_parser("train", help="训练模型（数据没变时跳过）")
    p.add_argument("--project", default=".", help="项目目录（默认当前目录）")
    p.add_argument("--force", action="store_true", help="数据没变也重新训练")
    p.add_argument("--verbose", action="store_true", help="显示 Rasa 的完整输出")

    p = sub.add_parser("shell", help="训练（如需要）、启动动作服务器并在终端里对话")
    p.add_argument("--project", default=".", help="项目目录（默认当前目录）")
    p.add_argument("--debug", action="store_true", help="每轮显示意图、置信度、实体、槽位和动作")
    p.add_argument("--product", help="顾客正在浏览的商品（编号或名称）")
    p.add_argument("--order", help="当前买家的订单号")
    p.add_argument("--verbose", action="store_true", help="训练时显示 Rasa 的完整输出")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    project = Project.at(Path(args.project))
    if not project.root.is_dir():
        console.error(f"找不到项目目录 {args.project}")
        return EXIT_USAGE
    try:
        model = train(project, verbose=args.verbose, force=getattr(args, "force", False))
        if args.command == "train":
            console.info(f"模型已就绪：{model}")
            return EXIT_OK
        from bot.shell import ShellOptions, chat

        options = ShellOptions(debug=args.debug, product=args.product, order=args.order)
        return asyncio.run(chat(project, model, options))
    except TrainingError as exc:
        console.error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.info("\n已退出。")
        return EXIT_OK

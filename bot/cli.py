"""`python -m bot` (or `dxm`): the commands students and teachers use."""
from __future__ import annotations

import argparse
import importlib
import os
import warnings
from pathlib import Path
from typing import List, Optional

from bot import console
from bot.chinese_argparse import ChineseArgumentParser
from bot.exit_codes import EXIT_OK, EXIT_USAGE

COMMANDS = ["train", "shell", "serve", "new", "diagnose", "check", "grade"]


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="python -m bot", description="店小蜜式智能客服实训工具。",
        epilog="每个命令的参数：python -m bot 命令 -h，例如 python -m bot check -h")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for name in COMMANDS:
        module = importlib.import_module(f"bot.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    console.setup_streams()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "verbose", False):
        # Rasa's dependencies warn about their own deprecations on import, and Rasa
        # resets the warning filters while loading, so silence the display itself.
        warnings.showwarning = lambda *args, **kwargs: None
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    project = getattr(args, "project", None)
    if project is not None and not Path(project).is_dir():
        console.error(f"找不到项目目录 {project}：请确认路径，或先 cd 到项目目录。")
        return EXIT_USAGE
    try:
        return args.run(args)
    except KeyboardInterrupt:
        console.info("\n已退出。")
        return EXIT_OK

"""`python -m bot` (or `dxm`): the commands students and teachers use."""
from __future__ import annotations

import argparse
import importlib
import os
import warnings
from pathlib import Path
from typing import List, Optional

from bot import console
from bot.exit_codes import EXIT_OK, EXIT_USAGE

COMMANDS = ["train", "shell", "serve", "new", "diagnose", "check", "grade"]

# argparse's own words, in Chinese: users of this tool read no English.
ARGPARSE_WORDS = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "expected one argument": "这个选项后面需要一个值",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}
argparse._ = lambda text: ARGPARSE_WORDS.get(text, text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="店小蜜式智能客服实训工具。")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for name in COMMANDS:
        module = importlib.import_module(f"bot.commands.{name}")
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
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

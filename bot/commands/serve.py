"""`serve`: the bot on Rasa's HTTP server, with the browser test window at /chat."""
from __future__ import annotations

import argparse

from bot import console
from bot.commands import train_or_report
from bot.exit_codes import EXIT_FAILED, EXIT_USAGE
from bot.project import Project

HELP = "训练（如需要）并启动网页测试窗（/chat）和 Rasa 的 REST 接口，供全班或投影演示使用"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", default=".", metavar="目录", help="项目目录（默认当前目录）")
    parser.add_argument("--host", default="127.0.0.1", metavar="地址",
                        help="监听地址（默认 127.0.0.1 只有本机能打开；0.0.0.0 让同一网络的同学访问）")
    parser.add_argument("--port", type=int, default=5005, metavar="端口", help="端口（默认 5005）")
    parser.add_argument("--token", metavar="令牌", help="开启 Rasa 的管理接口（换模型、改对话记录），访问时必须带这个令牌")
    parser.add_argument("--tracker-store", metavar="postgresql://…",
                        help="全班共用的对话记录库（PostgreSQL）；默认是本项目的 var/conversations.db")
    parser.add_argument("--lock-store", metavar="redis://…",
                        help="多个 serve 进程共用的对话锁（Redis）；和 --tracker-store 一起用")
    parser.add_argument("--verbose", action="store_true", help="显示 Rasa 的完整输出（训练和服务器日志）")


def run(args: argparse.Namespace) -> int:
    from bot.web.server import ServeError, serve

    if not 0 < args.port < 65536:
        console.error(f"端口 {args.port} 不对：请用 1 到 65535 之间的数，例如 --port 5005")
        return EXIT_USAGE
    project = Project.at(args.project)
    model = train_or_report(project, args.verbose)
    if model is None:
        return EXIT_FAILED
    try:
        serve(project, model, args.host, args.port, token=args.token,
              tracker_store=args.tracker_store, lock_store=args.lock_store, verbose=args.verbose)
    except ServeError as exc:
        console.error(str(exc))
        return EXIT_USAGE
    console.info("服务器已停止。")
    return 0

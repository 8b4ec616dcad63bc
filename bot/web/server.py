"""`dxm serve`: Rasa's own HTTP server with the REST channel and the test window.

The app is built by `rasa.core.run.configure_app` and loads the model with Rasa's
own `load_agent_on_start`; the stores come from Rasa's endpoint configs: SQLite
(var/conversations.db, the store the shell and `diagnose` use) unless a class shares
a PostgreSQL tracker store and a Redis lock store between several processes.
"""
from __future__ import annotations

import logging
import os
import socket
from functools import partial
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlsplit

from bot import console
from bot.project import Project

# Requests larger than this are refused with a Chinese message (a chat message is
# at most a few KB; Rasa's model upload, only with --token, keeps Sanic's own limit).
REQUEST_MAX_BYTES = 64 * 1024


class ServeError(Exception):
    """The server cannot start; the message says why and what to do, in Chinese."""


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on host:port (a closed connection's TIME_WAIT is fine)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # on Windows SO_REUSEADDR would let two servers share a port
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _parts(url: str, schemes, what: str):
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        raise ServeError(f"{what}地址“{url}”写法不对：应当像 {schemes[0]}://用户:密码@主机:端口/库名")
    return parts


def tracker_store_config(project: Project, url: Optional[str]):
    """Rasa's SQLTrackerStore: on the project's SQLite file, or on `postgresql://…`."""
    from bot.runtime import sqlite_tracker_store
    from rasa.utils.endpoints import EndpointConfig

    if not url:
        return sqlite_tracker_store(project.conversations_db)
    parts = _parts(url, ("postgresql", "postgres"), "对话记录库（--tracker-store）")
    return EndpointConfig(
        url=parts.hostname, type="SQL", dialect="postgresql", port=parts.port or 5432,
        db=parts.path.lstrip("/") or "postgres", username=unquote(parts.username or ""),
        password=unquote(parts.password or ""))


def lock_store_config(url: Optional[str]):
    """Rasa's RedisLockStore (made atomic) for `redis://…`; None keeps the in-process one."""
    from rasa.utils.endpoints import EndpointConfig

    if not url:
        return None
    parts = _parts(url, ("redis",), "对话锁（--lock-store）")
    return EndpointConfig(
        url=parts.hostname, type="bot.web.lock_store.AtomicRedisLockStore", port=parts.port or 6379,
        db=int(parts.path.lstrip("/") or 0), password=unquote(parts.password or "") or None)


def build_app(project: Project, model: Path, action_url: str, token: Optional[str] = None,
              tracker_store: Optional[str] = None, lock_store: Optional[str] = None):
    """Rasa's server app: REST channel, the test window, and the API only with a token."""
    from rasa.core import run
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig
    from sanic import response
    from sanic.exceptions import InvalidUsage, PayloadTooLarge

    from bot import rasa_patches
    from bot.web.channels import SafeRestInput, TestWindowInput

    endpoints = AvailableEndpoints(
        action=EndpointConfig(url=action_url),
        tracker_store=tracker_store_config(project, tracker_store),
        lock_store=lock_store_config(lock_store))
    rasa_patches.for_conversations()
    app = run.configure_app(
        [SafeRestInput(), TestWindowInput(project)], enable_api=bool(token), auth_token=token,
        endpoints=endpoints, use_uvloop=False)
    if not token:
        app.config.REQUEST_MAX_SIZE = REQUEST_MAX_BYTES

    async def too_large(request, exception):
        return response.json(
            {"error": f"请求太大（超过 {app.config.REQUEST_MAX_SIZE // 1024} KB）：一条消息请控制在 500 字以内。"},
            status=413)

    async def bad_request(request, exception):
        return response.json({"error": str(exception)}, status=400)

    app.error_handler.add(PayloadTooLarge, too_large)
    app.error_handler.add(InvalidUsage, bad_request)
    app.register_listener(partial(run.load_agent_on_start, str(model), endpoints, None),
                          "before_server_start")
    app.register_listener(run.close_resources, "after_server_stop")
    return app


def serve(project: Project, model: Path, host: str, port: int, token: Optional[str] = None,
          tracker_store: Optional[str] = None, lock_store: Optional[str] = None,
          verbose: bool = False) -> None:
    """Start the action server and Rasa's server; return when Ctrl-C stops them."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.action_server import ActionServer
    from bot.training import shop_environment

    if not port_is_free(host, port):
        raise ServeError(f"端口 {port} 已被占用（可能已经有一个 dxm serve 在运行）。"
                         f"请关掉它，或换一个端口：dxm serve --port {port + 1}")
    if tracker_store and not lock_store:
        console.info("提示：几个 serve 进程共用 --tracker-store 时，请同时加 --lock-store redis://…，"
                     "否则同一个对话的消息可能在两个进程里同时处理。")
    # The test window reads the same shop folder and order database as the actions.
    os.environ.update(shop_environment(project))
    level = logging.INFO if verbose else logging.ERROR
    configure_logging_and_warnings(level)
    configure_structlog(level)
    actions = ActionServer(project, log_name=f"actions-{port}.log").start()
    try:
        app = build_app(project, model, actions.url, token, tracker_store, lock_store)
        with console.progress("启动动作服务器"):
            actions.wait_ready()
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        started = []

        async def announce(_app, _loop) -> None:
            started.append(True)
            console.info(f"测试窗已启动：在浏览器打开 http://{shown}:{port}/chat")
            console.info(f"Rasa 接口：http://{shown}:{port}/webhooks/rest/webhook"
                         + ("（已开启需要令牌的管理接口）" if token else ""))
            console.info("按 Ctrl+C 停止。")

        app.register_listener(announce, "after_server_start")
        console.info("正在加载模型 ...")
        app.run(host=host, port=port, workers=1, access_log=verbose, debug=False)
        if not started:
            raise ServeError(f"服务器没能在 {host}:{port} 上启动：端口可能刚被占用，"
                             "或地址不属于本机。加 --verbose 查看 Rasa 的输出。")
    finally:
        actions.stop()

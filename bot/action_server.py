"""Starts and stops the Rasa action server for a project, so users never have to
(or, for the grader, runs the reference actions in its own process)."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, Optional

from bot.processes import free_port
from bot.project import REFERENCE_ROOT, Project
from bot.training import rasa_environment, shop_environment


class ActionServerError(Exception):
    pass


class ActionServer:
    """`with ActionServer(project) as server:` runs rasa_sdk on a free local port."""

    def __init__(self, project: Project, log_name: str = "actions.log") -> None:
        self.project = project
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None
        self.log_path: Path = project.var / "logs" / log_name

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def endpoint(self) -> Any:
        """What Rasa calls the actions through (its EndpointConfig)."""
        from rasa.utils.endpoints import EndpointConfig

        return EndpointConfig(url=self.url)

    def start(self) -> "ActionServer":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port",
                 str(self.port)], cwd=REFERENCE_ROOT, env=rasa_environment(self.project),
                stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        health = f"http://127.0.0.1:{self.port}/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log_path.read_text("utf-8", errors="replace")[-1500:]
                raise ActionServerError(f"动作服务器启动失败，日志见 {self.log_path}：\n{log}")
            try:
                with urllib.request.urlopen(health, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise ActionServerError(f"动作服务器 {timeout:.0f} 秒内没有就绪，日志见 {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "ActionServer":
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class ActionsInProcess:
    """The reference actions run by rasa_sdk's own executor in this process, for the
    grading worker: what the action server does with a request, without the server.

    Per project the server cost a process (Python, rasa_sdk and Sanic imported again)
    and an HTTP round trip per action; here the project's SHOP_DIR and SHOP_DB are this
    process's (the actions read them at each call) and Rasa's RemoteAction calls the
    executor through the endpoint's `request`, the one method it uses. Requests and
    results cross as JSON, as they would over HTTP; a rejected or unknown action
    comes back as the HTTP errors the server answers with (400, 404), anything else
    as a 500, so Rasa handles each as it would.
    """

    url = "in-process://actions"

    def __init__(self, project: Project) -> None:
        self.project = project

    def start(self) -> "ActionsInProcess":
        os.environ.update(shop_environment(self.project))
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Nothing to wait for: the executor is ready when it is made."""

    def stop(self) -> None:
        """Nothing to stop."""

    def endpoint(self) -> Any:
        from rasa.utils.endpoints import ClientResponseError, EndpointConfig
        from rasa_sdk.executor import ActionExecutor
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        class InProcessEndpoint(EndpointConfig):
            def __init__(self, url: str) -> None:
                super().__init__(url=url)
                self.executor = ActionExecutor()
                self.executor.register_package("actions")

            async def request(self, method: str = "post", subpath: Optional[str] = None,
                              content_type: Optional[str] = "application/json",
                              compress: bool = False, **kwargs: Any) -> Any:
                call: Dict[str, Any] = json.loads(json.dumps(kwargs["json"]))
                try:
                    result = await self.executor.run(call)
                except (ActionExecutionRejection, ActionNotFoundException) as exc:
                    status = 400 if isinstance(exc, ActionExecutionRejection) else 404
                    body = {"error": exc.message, "action_name": exc.action_name}
                    raise ClientResponseError(status, exc.message, json.dumps(body))
                except Exception as exc:  # the server answers 500 and logs it
                    logging.getLogger(__name__).exception("动作 %s 出错", call.get("next_action"))
                    raise ClientResponseError(500, str(exc), "")
                return json.loads(json.dumps(result))

        return InProcessEndpoint(self.url)

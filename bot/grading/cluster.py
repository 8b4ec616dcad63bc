"""`dxm grade --cluster`: the per-project jobs on a Dask distributed cluster.

Why Dask distributed (measured on this project's lock, see README「实验室集群评分」):
it is pinned by Rasa's own dask==2022.10.2, installs into the lock on Python 3.10 and
3.11 without moving a pin (Ray 2.9 also fits, but it is a 70 MB wheel and starts 10
processes, ~720 MB, in ~7 s before the first task; Dask is pure Python, a cluster of two
workers is up in ~3 s at ~60 MB per worker process plus ~60 MB for its nanny).
distributed 2022.10's in-process LocalCluster fails on Python 3.11 (asyncio.wait given
Nanny objects); its command-line scheduler and workers run on both, so `local:N`
starts those, exactly the two commands a lab runs (`main` below).

Each Dask worker (one thread) keeps a local Pool of one grading worker (pool.py,
worker.py) with the same time and memory limits, so a project's result is the same on
the cluster as in the local pool. A project's files travel with its job (a lab machine
does not see the teacher's disk). A Dask worker killed in the middle of a project: the
scheduler gives the project to another worker (allowed-failures, below); its grading
process stops itself (processes.stop_when_orphaned). Imported only with --cluster.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from concurrent.futures import CancelledError
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot import console, processes
from bot.processes import free_port
from bot.grading.finished import project_files
from bot.grading.jobs import ClusterError, Job, Result
from bot.grading.pool import JobState, Pool, worker_environment
from bot.project import GRADING_MODEL_STORE, REFERENCE_ROOT

LOCAL = re.compile(r"^local(?::(\d+))?$")
PORT = 8786
# A project is given to another worker after its worker died; the third death in a row
# marks the project (not the cluster) as the problem.
ALLOWED_FAILURES = 2
# How long the cluster may have no worker at all before the run stops.
NO_WORKERS_GRACE = 60.0
PROGRESS = "dxm-progress"


def engine_environment() -> Dict[str, str]:
    return {**worker_environment(),
            "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(ALLOWED_FAILURES),
            "DASK_DISTRIBUTED__LOGGING__DISTRIBUTED": "error",
            # Dask's statistical profiler samples a running task's stack every 10 ms: while a
            # project was graded it cost each Dask worker process ~5 % of a core (py-spy), for
            # a profile of a thread that only waits for the grading process.
            "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
            # Its event-loop health check, every 20 ms in every Dask process: idle, the
            # scheduler and the workers' host process used half as much CPU with it each second.
            "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s"}


def start_scheduler(host: str, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", host, "--port", str(port),
         "--no-dashboard"], cwd=REFERENCE_ROOT, env=engine_environment(), **processes.own_group())


def start_workers(address: str, count: int) -> subprocess.Popen:
    # One thread per worker process: a project's training takes one core. No memory
    # limit of Dask's own: the grading process under it has --max-memory.
    return subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", str(count),
         "--nthreads", "1", "--memory-limit", "0", "--no-dashboard", "--name", socket.gethostname(),
         "--local-directory", str(Path(tempfile.gettempdir()) / "dxm-cluster")],
        cwd=REFERENCE_ROOT, env=engine_environment(), **processes.own_group())


_pools: Dict[tuple, Pool] = {}  # on a Dask worker


def grade_on_worker(job: Job, files: List[Tuple[bytes, bytes]], timeout: float,
                    max_memory: float) -> Tuple[Result, str]:
    """Grade JOB on this Dask worker: (result, text of the training log if any)."""
    from distributed import get_worker

    worker = get_worker()
    here = Path(worker.local_directory) / "dxm"
    limits = (job.student_code, timeout, max_memory)
    if limits not in _pools:  # one grading process per Dask worker, kept between projects
        _pools[limits] = Pool(parallel=1, timeout=timeout, max_memory=max_memory, log_dir=here / "logs",
                              student_code=job.student_code, keep_workers=not job.student_code)
    pool = _pools[limits]
    place = here / uuid.uuid4().hex[:12]
    root = place / "project"
    for name, data in files:
        target = root / os.fsdecode(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    # The teacher's model store when this machine sees it (local:N, a shared folder), else its own.
    store = job.store if Path(job.store).is_dir() else str(GRADING_MODEL_STORE)
    shown: List[tuple] = []

    def publish(states: Dict[str, JobState]) -> None:
        state = states[job.key]
        now = (state.stage, state.detail, state.done, state.total)
        if not shown or shown[-1] != now:
            shown.append(now)
            worker.log_event(PROGRESS, {"key": job.key, "state": now})

    pool.on_progress = publish
    try:
        result = pool.run([replace(job, root=str(root), scratch=str(place / "scratch"), store=store)])[job.key]
        log = Path(result.train_log) if result.train_log else None
        text = log.read_text("utf-8", errors="replace") if log and log.is_file() else ""
    finally:
        shutil.rmtree(place, ignore_errors=True)
    result.train_log = None
    result.worker = f"评分机 {worker.name}"  # the host's name and the process's number
    return result, text


@dataclass
class ClusterPool:
    """The cluster backend, on the teacher's machine: run() and callbacks like pool.Pool's."""

    address: str
    timeout: float
    scratch: Path          # train logs that came back are written here
    max_memory: float = float("inf")
    on_progress: Callable[[Dict[str, JobState]], None] = lambda states: None
    on_result: Callable[[Result], None] = lambda result: None
    states: Dict[str, JobState] = field(default_factory=dict)

    def run(self, jobs: List[Job]) -> Dict[str, Result]:
        local = LOCAL.match(self.address)
        if not local:
            return self._run(self.address, jobs, wait=20.0)
        # A throw-away cluster on this machine: a scheduler and N workers.
        port = free_port()
        address = f"tcp://127.0.0.1:{port}"
        scheduler = start_scheduler("127.0.0.1", port)
        workers = start_workers(address, int(local.group(1) or os.cpu_count() or 1))
        try:
            return self._run(address, jobs, wait=60.0)
        finally:
            for process in (workers, scheduler):
                if process.poll() is None:
                    processes.kill_tree(process)

    def _connect(self, address: str, wait: float):
        from distributed import Client

        # Its reconnection attempts and tracebacks would bury the Chinese message.
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        try:
            client = Client(address, timeout=wait, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"连不上评分集群 {address}（{type(exc).__name__}）：请确认老师机上已运行 "
                f"python -m bot.grading.cluster scheduler，地址和端口（默认 {PORT}）写对，防火墙放行这个端口；"
                "或者去掉 --cluster 在本机评分。") from None
        try:
            client.wait_for_workers(1, timeout=wait)
        except (OSError, TimeoutError):
            client.close()
            raise ClusterError(
                f"评分集群 {address} 连上了，但 {wait:.0f} 秒内没有一台评分机器加入：请在每台实验室机器上运行 "
                f"python -m bot.grading.cluster worker {address}。") from None
        return client

    def _run(self, address: str, jobs: List[Job], wait: float) -> Dict[str, Result]:
        from distributed.scheduler import KilledWorker

        client = self._connect(address, wait)
        self.states = {job.key: JobState(job.name) for job in jobs}
        lock = threading.Lock()

        def progress(event: tuple) -> None:  # (time, what publish logged)
            with lock:
                state = self.states.get(event[1]["key"])
                if state and not state.finished:
                    state.stage, state.detail, state.done, state.total = event[1]["state"]

        client.subscribe_topic(PROGRESS, progress)
        results: Dict[str, Result] = {}
        waiting = deque(jobs)
        pending: Dict[Any, Job] = {}
        no_workers_since: Optional[float] = None
        finished = threading.Event()
        try:
            while waiting or pending:
                # Finished projects first, so that their slots take the next projects in
                # this same pass: the other way round, each slot idled until the next
                # wake-up (up to a second, about 5 % of a class of 30 on 2 workers).
                for future in [f for f in pending if f.done()]:
                    job = pending.pop(future)
                    try:
                        result, log = future.result()
                    except KilledWorker:
                        result, log = Result(key=job.key, stage="开始", final=False, error=(
                            f"评分机器接连 {ALLOWED_FAILURES + 1} 次在评这个项目时退出：项目可能让评分进程崩溃，"
                            "看一下它的数据；也可能是机器本身的问题，重新运行同一命令再试。")), ""
                    except (CancelledError, OSError):
                        raise self._lost(address, results, jobs) from None
                    if log:
                        path = self.scratch / job.key / "train.log"
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_text(log, "utf-8")
                        result.train_log = str(path)
                    with lock:
                        state = self.states[job.key]
                        state.finished, state.stage = True, "完成" if result.ok else "出错"
                    results[job.key] = result
                    self.on_result(result)
                # As many projects out as the cluster has worker threads, the next to the
                # first free worker: submitted all at once, Dask 2022.10 queues them on workers
                # at once, and one idles at the end of a class while another has two long ones.
                slots = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
                while waiting and len(pending) < max(1, slots):
                    job = waiting.popleft()
                    files = [(name, p.read_bytes()) for name, p in project_files(Path(job.root))]
                    future = client.submit(grade_on_worker, job, files, self.timeout,
                                           self.max_memory, key=f"grade-{job.key}-{uuid.uuid4().hex[:8]}",
                                           pure=False)
                    future.add_done_callback(lambda _: finished.set())
                    pending[future] = job
                if client.status != "running":
                    raise self._lost(address, results, jobs)
                if pending and not client.scheduler_info().get("workers"):
                    no_workers_since = no_workers_since or time.monotonic()
                    if time.monotonic() - no_workers_since > NO_WORKERS_GRACE:
                        raise self._lost(address, results, jobs)
                else:
                    no_workers_since = None
                with lock:
                    self.on_progress(self.states)
                # Woken by a project that finished, else once a second for the progress
                # line: polling every 0.2 s cost this process 0.7 s of CPU a minute, this 0.2 s.
                finished.wait(1.0)
                finished.clear()
        finally:
            client.close(timeout=5)
        return results

    @staticmethod
    def _lost(address: str, results: Dict[str, Result], jobs: List[Job]) -> ClusterError:
        return ClusterError(
            f"评分集群 {address} 断开了（调度器或全部评分机器都不在了），还有 {len(jobs) - len(results)} 个项目没评完。"
            "已经评完的项目已保存：重新启动集群（或去掉 --cluster 在本机评），再运行同一条命令，只评剩下的项目。")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.grading.cluster",
                                     description="实验室评分集群：老师机运行 scheduler，每台实验室机器运行 worker")
    commands = parser.add_subparsers(dest="command", required=True)
    scheduler = commands.add_parser("scheduler", help="在老师机上运行：等评分机器加入")
    scheduler.add_argument("--port", type=int, default=PORT, help=f"端口（默认 {PORT}）")
    worker = commands.add_parser("worker", help="在每台实验室机器上运行：加入老师机的集群")
    worker.add_argument("address", help="老师机 scheduler 的地址，例如 tcp://192.168.1.10:8786")
    worker.add_argument("--nworkers", type=int, default=os.cpu_count() or 1,
                        help="同时评几个项目（默认本机的核数；每个评分进程约占 1 GB 内存）")
    args = parser.parse_args(argv)
    if args.command == "scheduler":
        process = start_scheduler("0.0.0.0", args.port)
        here = socket.gethostbyname(socket.gethostname())
        console.info(f"评分集群已启动。在每台实验室机器上运行：python -m bot.grading.cluster worker tcp://{here}:{args.port}\n"
                     f"然后在老师机上评分：python -m bot grade 班级文件夹 --bank 题库.csv --out 报告 --cluster tcp://{here}:{args.port}\n"
                     "按 Ctrl+C 停止。")
    else:
        process = start_workers(args.address, args.nworkers)
        console.info(f"本机 {args.nworkers} 个评分进程正在加入 {args.address}。按 Ctrl+C 停止。")
    try:
        return process.wait()
    except KeyboardInterrupt:
        processes.kill_tree(process)
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The parent's side of the grading workers: jobs out, results back, time limits.

Where the time of grading a class goes, and what this does about it (rasa_patches.*):
- importing Rasa (~10 s of every `rasa train` and `rasa test`): once per worker, which
  trains and questions project after project;
- training (~5-20 s of CPU, by the number of examples): a model is cached by the
  fingerprint of its training inputs; Rasa's per-component cache and the fingerprinting
  that feeds it (a third of a training) are off (skip_training_cache); the featurizers
  count all examples in one call and the NLU data is merged without deep copies
  (count_messages_together, merge_training_data_without_deep_copies: 21 -> 16 s of CPU
  for the reference, the same model);
- the actions: the reference's run in the worker (action_server.ActionsInProcess); an
  action server per project cost 1.6 s of CPU (its start, an HTTP round trip per action);
- questioning (~27 ms of CPU per question): the bank parsed in one NLU run, the reference
  actions' replies checked by shape (trust_reference_actions), event types looked up once
  (resolve_event_types_once), conversations in memory, each question starting from a
  copy of one real session start instead of running action_session_start again.

Two workers by default on a 2-core machine (training is single-threaded), one BLAS
thread each. A job past its time limit, or whose worker's resident memory (read from
/proc: Linux) passes the memory limit, gets its worker killed with what it started (it
leads its own process group, bot/processes.py) and a fresh worker takes the next job.
The limits hold for all the work on a student's data: static analysis, training, questions.
"""
from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Deque, Dict, List, Optional

from bot import processes
from bot.grading.jobs import Job, Result
from bot.project import REFERENCE_ROOT


def worker_environment() -> Dict[str, str]:
    # MALLOC_TRIM_THRESHOLD_: a Dask nanny sets it to 64 KiB for its workers (Dask's
    # pre-spawn-environ) and our grading process would inherit it: glibc then hands freed
    # memory back at once and training re-faults it, which cost a third more CPU per
    # training (165 against 124 s on the reference). The glibc default here, as in the pool.
    env = processes.python_environment(PYTHONUNBUFFERED="1", MALLOC_TRIM_THRESHOLD_=None)
    # Workers run side by side, one per core: no extra BLAS threads fighting over them.
    return {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **env}


def resident_bytes(pid: int) -> Optional[int]:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class Worker:
    """One `python -m bot.grading.worker` process."""

    def __init__(self, number: int, events: "queue.Queue", log_dir: Path,
                 reserved: Optional[Job] = None) -> None:
        self.number = number
        self.events = events
        self.ready = self.dead = False
        self.job: Optional[Job] = None
        self.reserved = reserved  # the job a student-code worker is for, run with its code
        self.started_job = 0.0
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"worker-{number}.log"
        command = [sys.executable, "-m", "bot.grading.worker"]
        if reserved:
            command += ["--student-code", str(Path(reserved.root))]
        with open(self.log_path, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                command, cwd=REFERENCE_ROOT, env=worker_environment(), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8",
                **processes.own_group())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with contextlib.suppress(ValueError):  # not a message: skipped
                self.events.put((self, json.loads(line)))
        self.events.put((self, {"type": "exit"}))

    def give(self, job: Job) -> None:
        self.job, self.started_job = job, time.monotonic()
        # ASCII JSON: a path that is not valid UTF-8 (lone surrogates) crosses unharmed.
        self.process.stdin.write(json.dumps(job.to_json()) + "\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        """Stop the worker and everything it started (a student's action server)."""
        processes.kill_tree(self.process)
        self.dead = True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.dead = True


class WorkerStartError(Exception):
    """Workers die before they are ready: Rasa or the environment is broken."""


@dataclass
class JobState:
    """What the progress display shows about a job."""

    name: str
    stage: str = "等待"
    detail: str = ""
    done: int = 0
    total: int = 0
    finished: bool = False


@dataclass
class Pool:
    """The local backend: worker processes on this machine (cluster.py has the other)."""

    parallel: int
    timeout: float
    log_dir: Path
    max_memory: float = float("inf")   # bytes of resident memory per worker
    student_code: bool = False   # one fresh worker per project, running that project's code
    keep_workers: bool = False   # idle workers wait for the next run() (a cluster worker's pool)
    on_progress: Callable[[Dict[str, JobState]], None] = lambda states: None
    on_result: Callable[[Result], None] = lambda result: None
    states: Dict[str, JobState] = field(default_factory=dict)
    workers: List[Worker] = field(default_factory=list)
    events: "queue.Queue" = field(default_factory=queue.Queue)

    def run(self, jobs: List[Job]) -> Dict[str, Result]:
        """Grade every job; a result per job key, errors included (never raises for a job)."""
        pending: Deque[Job] = deque(jobs)
        results: Dict[str, Result] = {}
        self.states = {job.key: JobState(job.name) for job in jobs}
        workers = self.workers = [w for w in self.workers if not w.dead]
        failed_starts = 0

        def start(worker: Worker, job: Job) -> None:
            self.states[job.key].stage = "开始"
            worker.give(job)
            if self.student_code:
                worker.process.stdin.close()  # a student-code worker serves one project

        def finish(worker: Worker, result: Result) -> None:
            job, worker.job = worker.job, None
            result.worker = f"评分进程 {worker.number}"
            results[job.key] = result
            state = self.states[job.key]
            state.finished, state.stage = True, "完成" if result.ok else "出错"
            self.on_result(result)

        def fail(worker: Worker, message: str) -> None:
            job = worker.job
            finish(worker, Result(key=job.key, stage=self.states[job.key].stage, error=message, final=False))

        def top_up() -> None:
            for worker in workers:
                if (not self.student_code and pending and not worker.dead and worker.ready
                        and worker.job is None):
                    start(worker, pending.popleft())
            # Every live worker counts, but a student-code one whose project is done (it exits).
            running = [w for w in workers if not w.dead
                       and (w.job or w.reserved or not w.ready or not self.student_code)]
            while pending and len(running) < self.parallel:
                number = max((w.number for w in workers), default=0) + 1
                workers.append(Worker(number, self.events, self.log_dir,
                                      pending.popleft() if self.student_code else None))
                running.append(workers[-1])

        try:
            while len(results) < len(jobs):
                top_up()
                try:
                    worker, message = self.events.get(timeout=0.2)
                except queue.Empty:
                    worker, message = None, {}
                kind = message.get("type")
                if kind == "ready":
                    worker.ready = True
                    if worker.reserved:
                        job, worker.reserved = worker.reserved, None
                        start(worker, job)
                elif kind == "progress" and worker.job:
                    state = self.states[worker.job.key]
                    state.stage = message.get("stage", state.stage)
                    state.detail = message.get("detail", "")
                    state.done, state.total = message.get("done", 0), message.get("total", 0)
                elif kind == "result" and worker.job:
                    finish(worker, Result.from_json(message))
                elif kind == "exit":
                    worker.dead = True
                    failed_starts += not worker.ready
                    if failed_starts >= 3:  # the environment is broken, not a project
                        log = worker.log_path.read_text("utf-8", errors="replace")[-1500:]
                        raise WorkerStartError(f"评分进程无法启动（日志 {worker.log_path}）：\n{log}")
                    if worker.reserved:
                        worker.job, worker.reserved = worker.reserved, None
                    if worker.job:
                        fail(worker, f"评分进程意外退出（日志见 {worker.log_path}）")
                now = time.monotonic()
                for late in [w for w in workers if w.job and now - w.started_job > self.timeout]:
                    stage = self.states[late.job.key].stage
                    late.kill()
                    fail(late, f"超过时间限制 {self.timeout:.0f} 秒仍未完成（停在“{stage}”），已停止。")
                for heavy in [w for w in workers if w.job and (resident_bytes(w.process.pid) or 0) > self.max_memory]:
                    stage = self.states[heavy.job.key].stage
                    heavy.kill()
                    fail(heavy, f"内存超过上限 {self.max_memory / 1024 / 1024:.0f} MB（停在“{stage}”），已停止："
                                "项目的数据可能大得不正常；确实需要更多内存，加 --max-memory。")
                self.on_progress(self.states)
        finally:
            for worker in workers:
                if worker.process.poll() is None and (worker.job or worker.reserved):
                    worker.kill()
                elif worker.process.poll() is None and not (self.keep_workers and worker.ready):
                    worker.close()
        return results

"""The grading worker: a long-lived process that trains and questions projects.

Started by pool.py as `python -m bot.grading.worker` with cwd = the reference root, so
`components` and `actions` are the reference's (a student's Python is never imported);
with --student-code ROOT it serves that one project with the student's own code.
Rasa is imported once per worker, not per project (~10 s of every `rasa train`).
Protocol: a JSON job a line on stdin; JSON messages, one a line, on the original stdout
(progress, then the result); all Rasa prints goes to stderr, the parent's log file.

Per project: the reference actions run in this process (ActionsInProcess; SHOP_DIR =
its shop/, SHOP_DB = a fresh database in its scratch folder, seeded from shop/orders.yml;
a student's own actions get their own server); its data is analysed (static.py) and the
model trained here, under the same time and memory limits; the model is loaded with an
in-memory tracker store, the scenarios run in turn, and the bank questions, parsed in
one NLU run, each go through the full bot (policies, real actions, replies) in a fresh
conversation, a few at a time.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import gc
import json
import logging
import os
import subprocess
import sys
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from bot import processes, rasa_patches
from bot.action_server import ActionServer, ActionServerError, ActionsInProcess
from bot.grading import static
from bot.grading.bank import Question
from bot.grading.jobs import Job, Result
from bot.grading.rubric import load_rubric
from bot.project import REFERENCE_ROOT, Project
from bot.training import (PHASES, TrainingError, explain_failure, rasa_environment, require_files,
                          shop_environment)

Emit = Callable[[Dict[str, Any]], None]


@dataclass(frozen=True)
class GradedProject(Project):
    """A project whose generated files go to the grader's folders, not the student's:
    var/ (logs, order database) is this run's scratch folder; models live in the grader's
    store, named by the training inputs' fingerprint like bot.training names them, so an
    unchanged project is never trained twice and a submitted model is never trusted."""

    scratch: Path = Path()
    store: Path = Path()
    student_code: bool = False

    @property
    def var(self) -> Path:
        self.scratch.mkdir(parents=True, exist_ok=True)
        return self.scratch

    @property
    def models(self) -> Path:
        self.store.mkdir(parents=True, exist_ok=True)
        return self.store

    def training_files(self) -> List[Path]:
        files = super().training_files()
        if self.student_code:  # the student's components shape the model instead
            files = [f for f in files if REFERENCE_ROOT / "components" not in f.parents]
            files += sorted((self.root / "components").glob("*.py"))
        return files

    def fingerprint(self) -> str:
        return ("s" if self.student_code else "") + super().fingerprint()


class StudentActionServer(ActionServer):
    """The action server with the student's own actions (only with --allow-student-code)."""

    def start(self) -> "StudentActionServer":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = rasa_environment(self.project, code=[self.project.root])
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.port)],
                cwd=self.project.root, env=env, stdout=log, stderr=subprocess.STDOUT)
        return self


_JIEBA_BASE: Optional[tuple] = None


def reset_jieba() -> None:
    """Give jieba back its pristine dictionary: the shop tokenizer adds each project's
    product names to it, which in a long-lived process would leak into the next project."""
    global _JIEBA_BASE
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.dt
    tokenizer.check_initialized()
    if _JIEBA_BASE is None:
        _JIEBA_BASE = (dict(tokenizer.FREQ), tokenizer.total, dict(tokenizer.user_word_tag_tab))
    else:
        freq, tokenizer.total, tags = _JIEBA_BASE
        tokenizer.FREQ, tokenizer.user_word_tag_tab = dict(freq), dict(tags)


def quiet_rasa() -> None:
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("rasa", "rasa_sdk", "sanic", "aiohttp", "tensorflow", "absl", "jieba"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.captureWarnings(True)


class _PhaseHandler(logging.Handler):
    """Turns Rasa's "Starting to train component 'X'" into progress messages."""

    def __init__(self, emit: Emit) -> None:
        super().__init__(logging.INFO)
        self.emit_progress = emit

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Starting to train component"):
            component = message.split("'")[1] if "'" in message else ""
            self.emit_progress({"type": "progress", "stage": "训练", "detail": PHASES.get(component, component)})


def train_here(project: GradedProject, emit: Emit) -> tuple:
    """(model path, reused?) for the project, training it in this process if needed."""
    require_files(project)
    model = project.model_path()
    if model.exists():
        return model, True
    log_path = project.var / "train.log"
    os.environ.update(shop_environment(project))  # the components read the project's shop words
    reset_jieba()
    partial = model.with_name(f"{model.name[:-len('.tar.gz')]}-{uuid.uuid4().hex[:6]}")
    with open(log_path, "w", encoding="utf-8") as log:
        handlers = [(logging.getLogger("rasa"), logging.StreamHandler(log)),
                    (logging.getLogger("rasa.engine.training.hooks"), _PhaseHandler(emit))]
        previous = [logger.level for logger, _ in handlers]
        for logger, handler in handlers:
            handler.setLevel(logging.INFO)
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                from rasa.model_training import train

                # force_training: no fingerprint run (see rasa_patches.skip_training_cache).
                result = train(domain=str(project.domain), config=str(project.config),
                               training_files=[str(project.data)], output=str(project.models),
                               fixed_model_name=partial.name, force_training=True)
                code = result.code
        except BaseException as exc:  # Rasa may sys.exit() on bad input
            if isinstance(exc, KeyboardInterrupt):
                raise
            log.write(f"\n{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            code = "exception"
        finally:
            for (logger, handler), level in zip(handlers, previous):
                logger.removeHandler(handler)
                logger.setLevel(level)
    built = partial.with_name(partial.name + ".tar.gz")
    if code != 0 or not built.exists():
        built.unlink(missing_ok=True)
        raise explain_failure(log_path.read_text("utf-8", errors="replace"), project.root)
    os.replace(built, model)
    return model, False


def turn_dict(turn: Any) -> Dict[str, Any]:
    ranking = [{"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0), 4)}
               for r in (turn.ranking or [])[:3]]
    return {"text": turn.text, "intent": turn.intent, "confidence": round(turn.confidence, 4),
            "actions": list(turn.actions), "replies": list(turn.replies),
            "category_fallback": turn.category_fallback, "ranking": ranking}


async def question_bot(job: Job, model: Path, server: Any,
                       project: GradedProject, emit: Emit) -> Dict[str, Any]:
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.grading.trackers import KeptTrackerStore
    from bot.runtime import BotRuntime

    clock = Clock()
    reset_jieba()
    runtime = BotRuntime(model, server.url, project.var / "conversations.db", server.endpoint())
    await runtime.load()
    if not project.student_code:
        rasa_patches.trust_reference_actions()
    # Conversations of a grading run are thrown away: keep them in memory as objects
    # (SQLite costs ~20 ms per turn, Rasa's in-memory store a JSON round trip).
    store = KeptTrackerStore(runtime.agent.domain)
    runtime.agent.tracker_store = runtime.agent.processor.tracker_store = store
    server.wait_ready()
    clock.lap("load")

    scenarios: Dict[str, Any] = {}
    for scenario in [s for s in job.scenarios if not s.get("error")]:
        sender = f"scenario-{uuid.uuid4().hex[:10]}"
        if scenario.get("context"):
            await runtime.start_session(sender, scenario["context"])
        scenarios[scenario["key"]] = [turn_dict(await runtime.send(sender, text)) for text in scenario["texts"]]
    emit({"type": "progress", "stage": "情景", "done": len(job.scenarios), "total": len(job.scenarios)})
    clock.lap("scenarios")

    # Every bank question starts a fresh conversation from a copy of the events of one
    # real action_session_start (the reference's fills the shop's policy slots), not by
    # calling the action server again: the same state, a fifth less work per question.
    await runtime.start_session("session-template")
    opening = list((await store.retrieve("session-template")).events)
    slots = runtime.agent.domain.slots

    questions = job.questions
    understood = parse_all(runtime, [q["text"] for q in questions]) if not project.student_code else {}
    answers: Dict[str, Any] = {}
    limit = asyncio.Semaphore(max(1, job.concurrency))
    done = 0

    async def ask(question: Dict[str, str]) -> None:
        nonlocal done
        sender = f"bank-{uuid.uuid4().hex[:10]}"
        async with limit:
            await store.save(DialogueStateTracker.from_events(sender, opening, slots))
            parse = understood.get(question["text"])
            turn = await runtime.send(sender, question["text"], parse_data=copy.deepcopy(parse) if parse else None)
        answers[question["key"]] = turn_dict(turn)
        done += 1
        if done % 25 == 0 or done == len(questions):
            emit({"type": "progress", "stage": "提问", "done": done, "total": len(questions)})

    await asyncio.gather(*(ask(q) for q in questions))
    clock.lap("questions")
    return {"scenarios": scenarios, "questions": answers, "timings": clock.laps}


def parse_all(runtime: Any, texts: List[str]) -> Dict[str, Dict[str, Any]]:
    """What the model understands in each text, in one run of the NLU graph: Rasa parses
    one message per graph run, but the NLU components all take lists, so the bank goes
    through them at once and each question's conversation starts from its parse
    (UserMessage.parse_data), exactly what Rasa would have computed for it. Only with the
    reference components: a student's component may assume one message."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.runtime import clean

    processor = runtime.agent.processor
    unique = sorted({clean(t) for t in texts if clean(t)})
    if not unique:
        return {}
    target = processor.model_metadata.nlu_target
    results = processor.graph_runner.run(
        inputs={PLACEHOLDER_MESSAGE: [UserMessage(text=t, sender_id="bank") for t in unique],
                PLACEHOLDER_TRACKER: DialogueStateTracker.from_events("bank", [])},
        targets=[target])[target]
    parsed: Dict[str, Dict[str, Any]] = {}
    for text, message in zip(unique, results):
        parsed[text] = {"text": "", "intent": {"name": None, "confidence": 0.0}, "entities": [],
                        **message.as_dict(only_output_properties=True)}
        processor._update_full_retrieval_intent(parsed[text])
    return {t: parsed[clean(t)] for t in texts if clean(t) in parsed}


class Clock:
    """Wall and CPU seconds of each step (report.json's timings; the bench reads them)."""

    def __init__(self) -> None:
        self.laps: Dict[str, float] = {}
        self._wall, self._cpu = time.monotonic(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.monotonic(), time.process_time()
        self.laps[name] = round(wall - self._wall, 2)
        self.laps[f"{name}_cpu"] = round(cpu - self._cpu, 2)
        self._wall, self._cpu = wall, cpu


def grade_job(job: Job, emit: Emit) -> Result:
    started = time.monotonic()
    clock = Clock()
    project = GradedProject(root=Path(job.root).resolve(), scratch=Path(job.scratch),
                            store=Path(job.store), student_code=job.student_code)
    result = Result(key=job.key)
    server = StudentActionServer(project) if job.student_code else ActionsInProcess(project)
    stage = "检查数据"
    try:
        server.start()  # a student's action server imports while the data is read and the model trains
        emit({"type": "progress", "stage": stage})
        # Here, under the job's time and memory limits: a student's data can make the
        # static analysis as slow and as big as a training.
        questions = [Question.from_json(q) for q in job.questions]
        rubric = load_rubric(Path(job.rubric)) if job.rubric else load_rubric()
        result.static = static.analyse(project.root, questions, rubric)
        clock.lap("static")
        stage = "训练"
        emit({"type": "progress", "stage": stage})
        model, reused = train_here(project, emit)
        result.model, result.reused_model = str(model), reused
        clock.lap("train")
        stage = "提问"
        emit({"type": "progress", "stage": "加载模型"})
        answers = asyncio.run(question_bot(job, model, server, project, emit))
        clock.laps.update(answers["timings"])
        result.scenarios, result.questions = answers["scenarios"], answers["questions"]
        result.ok = True
    except TrainingError as exc:  # session.py copies train_log next to the report
        result.stage, result.error = stage, exc.explain("完整日志见报告旁边的 train.log。")
        log = project.var / "train.log"
        if log.exists():
            result.train_log = str(log)
    except ActionServerError as exc:
        result.stage, result.error = stage, str(exc)
    except Exception as exc:  # a broken project must not stop the class
        traceback.print_exc()
        result.stage, result.error = stage, f"{stage}时出错：{type(exc).__name__}: {exc}"
    finally:
        server.stop()
        gc.collect()
    result.timings = {**clock.laps, "total": round(time.monotonic() - started, 2)}
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--student-code", help="serve this project with its own Python code")
    args = parser.parse_args(argv)
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if args.student_code:
        sys.path.insert(0, str(Path(args.student_code).resolve()))
    rasa_patches.for_grading()
    quiet_rasa()
    reset_jieba()  # snapshot the pristine dictionary before any project touches it
    processes.stop_when_orphaned()

    def emit(message: Dict[str, Any]) -> None:
        # ASCII JSON: a name that is not valid UTF-8 (lone surrogates) crosses unharmed.
        channel.write(json.dumps(message) + "\n")

    emit({"type": "ready"})
    for line in filter(str.strip, sys.stdin):
        emit(grade_job(Job.from_json(json.loads(line)), emit).to_json())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

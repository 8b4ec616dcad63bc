"""One grading run: from the command's arguments to reports and an exit code."""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot import console
from bot.exit_codes import EXIT_FAILED, EXIT_NO_QUESTIONS, EXIT_OK, EXIT_USAGE
from bot.grading import output, report, scoring, terminal, wording
from bot.grading.bank import Bank, BankError, Question, load_banks
from bot.grading.categories import intent_categories
from bot.grading.finished import Finished, fingerprint
from bot.grading.jobs import ClusterError, Job, Result
from bot.grading.pool import JobState, Pool, WorkerStartError
from bot.grading.projects import (ProjectsError, Submission, find_submissions, looks_like_project,
                                  output_names)
from bot.grading.rubric import Rubric, RubricError, load_rubric
from bot.grading.scenarios import Scenario, ScenarioError, load_scenarios, orders_file, read_orders, resolve
from bot.project import GRADING_MODEL_STORE
from bot.textwidth import fit


@dataclass
class Options:
    path: Path
    banks: List[Path]
    out: Path
    scenarios: Optional[Path] = None
    rubric: Optional[Path] = None
    fail_under: Optional[float] = None
    timeout: float = 600.0
    max_memory: float = 3072.0   # MB per worker
    student_view: bool = False
    allow_student_code: bool = False
    allow_bad_rows: bool = False
    jobs: int = 2
    concurrency: int = 4
    model_store: Path = GRADING_MODEL_STORE
    cluster: Optional[str] = None   # a Dask scheduler's address, or local[:N]


@dataclass
class Graded:
    """Everything known about one submission, before rendering."""

    submission: Submission
    folder: str
    static: Optional[Dict[str, Any]] = None
    result: Optional[Result] = None
    report: Optional[Dict[str, Any]] = None
    scenario_runs: Dict[str, Dict[str, Any]] = field(default_factory=dict)


def _scenario_jobs(scenarios: List[Scenario], root: Path) -> Dict[str, Dict[str, Any]]:
    orders = read_orders(orders_file(root))
    runs = {}
    for scenario in scenarios:
        texts, order_id, error = resolve(scenario, orders)
        runs[scenario.key] = {"key": scenario.key, "texts": texts, "order_id": order_id,
                              "context": scenario.context, "error": error}
    return runs


def build_report(graded: Graded, questions: List[Question], scenarios: List[Scenario],
                 banks: List[Bank], rubric: Rubric, options: Options) -> Dict[str, Any]:
    sub = graded.submission
    result = graded.result or Result(key="")
    ran = result.ok
    categories = intent_categories(sub.root) if sub.root else {}
    leaks = (graded.static or {}).get("leaks", {})
    verdicts = {q.key: scoring.judge(q, result.questions.get(q.key) if ran else None, categories, rubric,
                                     leaks.get(q.key, ())) for q in questions}
    measured = scoring.metrics(questions, verdicts)
    scenario_results = []
    for scenario in scenarios:
        run = {**(graded.scenario_runs.get(scenario.key) or {}), "turns": result.scenarios.get(scenario.key, [])}
        if not ran and not run.get("error"):
            run["error"] = "项目没有运行起来"
        scenario_results.append(scoring.judge_scenario(scenario, run, categories))
    # A submission that is not a project at all has nothing to read: 0 everywhere.
    static_part = graded.static or {"hygiene": {"value": 0.0, "findings": 0},
                                    "answer_quality": {"value": 0.0, "findings": 0}, "leaks": {}}
    scored = scoring.score(scoring.component_values(measured, scenario_results, static_part, ran), rubric)
    error = sub.error or (None if ran else result.error or "没有运行")
    broken = static_part["hygiene"].get("broken_files") or []
    if error and broken and not sub.error:
        # Rasa's YAML errors seldom name the file; the grader's own reading does.
        error += "\n读不了的文件：" + "；".join(f"{b['file']}（{b['message']}）" for b in broken)
    return report.assemble(
        name=sub.name, source=str(sub.source), error=error, stage=result.stage,
        questions=questions, verdicts=verdicts, measured=measured, scenarios=scenario_results,
        static=static_part, scored=scored, banks=banks, rubric=rubric,
        model={"reused": result.reused_model, "path": result.model},
        timings=result.timings, student_view=options.student_view)


def _expected_work(job: Job) -> int:
    """Roughly how long a job takes: training grows with the examples, a cached model
    skips it. The longest jobs go first, so no worker idles at the end of a class."""
    from bot.grading.worker import GradedProject

    project = GradedProject(root=Path(job.root), store=Path(job.store), student_code=job.student_code)
    try:
        if project.model_path().exists():
            return 0
        return sum(p.read_text("utf-8", errors="replace").count("\n    - ")
                   for p in (project.root / "data").rglob("*.yml"))
    except OSError:
        return 0


def _progress_line(states: Dict[str, JobState], finished: int, total: int, started: float) -> str:
    filled = int(20 * finished / total) if total else 20
    bar = "█" * filled + "░" * (20 - filled)
    running = [s for s in states.values() if not s.finished and s.stage not in ("等待",)]
    parts = [f"{s.name}：{s.stage}" + (f"（{s.detail}）" if s.detail else f" {s.done}/{s.total}" if s.total else "")
             for s in running[:2]]
    return f"评分 [{bar}] {finished}/{total}  {time.monotonic() - started:4.0f} 秒  " + "  ".join(parts)


def run(options: Options) -> int:
    started = time.monotonic()
    # ---- inputs: every problem is reported before any work starts
    try:
        banks = load_banks(options.banks)
    except BankError as exc:
        console.error(f"题库无法使用：{exc}")
        return EXIT_NO_QUESTIONS
    problems = [problem for bank in banks for problem in bank.problems]
    for problem in problems:
        console.info(f"题库提示：{problem}")
    lost = sum(1 for problem in problems if problem.skipped)
    if lost and not options.allow_bad_rows:
        console.error(f"题库有 {lost} 处坏行没有用上（行号见上面）：改好题库后重新评分；"
                      "确实要跳过这些行评分，加 --allow-bad-rows。")
        return EXIT_NO_QUESTIONS
    questions = [q for bank in banks for q in bank.questions]
    try:
        rubric = load_rubric(options.rubric) if options.rubric else load_rubric()
        scenarios = load_scenarios(options.scenarios) if options.scenarios else []
    except (RubricError, ScenarioError) as exc:
        console.error(str(exc))
        return EXIT_USAGE
    scratch = Path(tempfile.mkdtemp(prefix="dxm-grade-"))
    try:
        try:
            submissions = find_submissions(options.path, scratch)
        except ProjectsError as exc:
            console.error(str(exc))
            return EXIT_USAGE
        try:
            options.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            console.error(f"无法创建输出文件夹 {options.out}：{exc.strerror}")
            return EXIT_USAGE
        single = options.path.is_file() or looks_like_project(options.path)
        graded = [Graded(sub, folder) for sub, folder in zip(submissions, output_names(submissions))]
        console.info(f"题库 {len(questions)} 题（{'、'.join(f'{b.name} {len(b.questions)} 题，{b.encoding}' for b in banks)}），"
                     f"情景 {len(scenarios)} 个，项目 {len(submissions)} 个")
        return _grade(graded, questions, scenarios, banks, rubric, options, scratch, single, started)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _grade(graded: List[Graded], questions: List[Question], scenarios: List[Scenario],
           banks: List[Bank], rubric: Rubric, options: Options, scratch: Path, single: bool,
           started: float) -> int:
    jobs = []
    bank = [q.to_json() for q in questions]  # one list for every job: nothing changes it
    by_key = {f"p{number:03d}": item for number, item in enumerate(graded)}
    for key, item in [(key, item) for key, item in by_key.items() if item.submission.root]:
        item.scenario_runs = _scenario_jobs(scenarios, item.submission.root)
        jobs.append(Job(
            key=key, name=item.submission.name, root=str(item.submission.root),
            scratch=str(scratch / "projects" / key), store=str(options.model_store),
            student_code=options.allow_student_code, concurrency=options.concurrency,
            questions=bank, rubric=str(options.rubric) if options.rubric else None,
            scenarios=list(item.scenario_runs.values())))
    jobs.sort(key=lambda job: -_expected_work(job))
    interactive = sys.stdout.isatty()
    counted = [0]

    def conclude(item: Graded, result: Optional[Result]) -> None:
        """Score one project and write its reports while the others are still running."""
        if result is not None and result.static is not None:  # none if its worker was stopped
            item.static = result.static
        item.result = result
        item.report = build_report(item, questions, scenarios, banks, rubric, options)
        folder = options.out if single else options.out / item.folder
        output.write_project(item.report, folder)
        log = Path(result.train_log or "") if result else Path()
        if log.is_file():
            shutil.copy(log, folder / "train.log")

    # Finished results of an earlier run into the same folder (not for a student view:
    # they hold the questions): a rerun grades only what is missing.
    kept = None if options.student_view else Finished(options.out)
    marks = {job.key: fingerprint(job) for job in jobs} if kept else {}
    reused = {job.key: kept.load(job, marks[job.key]) for job in jobs} if kept else {}
    todo = [job for job in jobs if not reused.get(job.key)]
    if len(todo) < len(jobs):
        console.info(f"复用上次已评完的 {len(jobs) - len(todo)} 个项目（项目文件、题库、情景和评分细则都没变，"
                     f"存在 {options.out / '.finished'}），这次只评剩下的 {len(todo)} 个。")
        for key, result in reused.items():
            if result:
                conclude(by_key[key], result)

    def clear_progress() -> None:
        if interactive:
            console.write("\r" + " " * 110 + "\r", end="")

    def on_progress(states: Dict[str, JobState]) -> None:
        if interactive:
            console.write("\r" + fit(_progress_line(states, counted[0], len(todo), started), 110), end="")

    def on_result(result: Result) -> None:
        counted[0] += 1
        item = by_key[result.key]
        if kept:
            kept.keep(marks[result.key], result)
        outcome = "完成" if result.ok else f"出错：{wording.first_line(result.error)}"
        seconds = result.timings.get("total")
        where = "，".join(part for part in (f"{seconds:.0f} 秒" if seconds else "", result.worker) if part)
        line = f"[{counted[0]}/{len(todo)}] {item.submission.name}：{outcome}" + (f"（{where}）" if where else "")
        clear_progress()
        console.info(line)
        try:
            conclude(item, result)
        except Exception as exc:  # a bug in one report must not stop the class
            item.report = None
            console.error(f"写 {item.submission.name} 的报告时出错（{type(exc).__name__}: {exc}），最后再试一次。")

    common = dict(timeout=options.timeout, max_memory=options.max_memory * 1024 * 1024,
                  on_progress=on_progress, on_result=on_result)
    if options.cluster:  # the engine is imported only here
        from bot.grading.cluster import ClusterPool
        backend: Any = ClusterPool(address=options.cluster, scratch=scratch / "projects", **common)
    else:
        backend = Pool(parallel=max(1, min(options.jobs, len(todo) or 1)), student_code=options.allow_student_code,
                       log_dir=options.out / ".logs" if not options.student_view else scratch / "logs", **common)
    try:
        if todo:
            backend.run(todo)
    except WorkerStartError as exc:
        console.error(str(exc))
        return EXIT_USAGE
    except ClusterError as exc:
        clear_progress()
        console.error(str(exc))
        return EXIT_FAILED
    clear_progress()
    for key, item in by_key.items():
        if item.report is None:  # not a project at all (never went to a worker), or retried
            conclude(item, item.result)

    written = output.write_class(graded, options.out, single)
    terminal.print_terminal([g.report for g in graded], single, options.student_view)
    console.info(f"报告：{written}（用时 {time.monotonic() - started:.0f} 秒）")
    if options.fail_under is not None:
        below = [g for g in graded if g.report["score"] is None or g.report["score"] < options.fail_under
                 or g.report["error"]]
        if below:
            console.info(f"低于 --fail-under {options.fail_under:g} 分（或没有运行）的项目：{'、'.join(g.submission.name for g in below)}")
            return EXIT_FAILED
    return EXIT_OK

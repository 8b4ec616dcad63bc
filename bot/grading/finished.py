"""Finished projects kept in the output folder, so a rerun grades only what is missing.

A result is kept under OUT/.finished/<fingerprint>.json as soon as it arrives. The
fingerprint covers all it depends on: every file of the project (a renamed or moved
submission is still found), the questions, the scenarios as resolved for it, the
rubric, whether the student's code runs, and the grader's code (bot/, the reference
components and actions). Results the worker never finished (stopped for time or
memory, a lost worker) are not kept. Not with --student-view: the kept results hold
the bank's questions, and a student view's folder goes to the students.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable, Optional

from bot.grading.jobs import Job, Result
from bot.grading.rubric import DEFAULT_RUBRIC
from bot.project import REFERENCE_ROOT, hash_files

FOLDER = ".finished"
# Generated, never read by grading: a model shipped in a submission is never trusted.
SKIPPED = {".git", ".rasa", "models", "var", "__pycache__", "results"}
GRADER_CODE = ("bot", "components", "actions")


def project_files(root: Path) -> Iterable[tuple]:
    """(relative name as bytes, path) of every file under ROOT, links not followed, in
    the walk's order (hash_files sorts them)."""
    for where, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED]
        for name in files:
            path = Path(where, name)
            if path.is_file():
                yield os.fsencode(path.relative_to(root)), path


def fingerprint(job: Job) -> str:
    digest = hashlib.sha256()
    hash_files(digest, project_files(Path(job.root)))
    digest.update(json.dumps([job.questions, job.scenarios, job.student_code], sort_keys=True,
                             ensure_ascii=True).encode("ascii"))
    digest.update(Path(job.rubric or DEFAULT_RUBRIC).read_bytes())
    for folder in GRADER_CODE:
        hash_files(digest, ((name, path) for name, path in project_files(REFERENCE_ROOT / folder)
                            if name.endswith(b".py")))
    return digest.hexdigest()[:24]


class Finished:
    """The finished results of one output folder."""

    def __init__(self, out: Path) -> None:
        self.folder = out / FOLDER

    def load(self, job: Job, mark: str) -> Optional[Result]:
        try:
            data = json.loads((self.folder / f"{mark}.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return Result.from_json({**data, "key": job.key})

    def keep(self, mark: str, result: Result) -> None:
        if not result.final:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f"{mark}.{os.getpid()}.tmp"
        partial.write_text(json.dumps(result.to_json()), "utf-8")
        os.replace(partial, self.folder / f"{mark}.json")

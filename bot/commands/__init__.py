"""One module per CLI command, named as it: HELP, add_arguments(parser), run(args) -> exit code."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

# The module, not its train(): importing the `train` command module sets this
# package's attribute `train`, which would hide the function.
from bot import console, training
from bot.project import Project


def train_or_report(project: Project, verbose: bool, force: bool = False) -> Optional[Path]:
    """The project's model, trained if needed; None once the student has been told why
    training failed (the commands that train then exit with EXIT_FAILED)."""
    try:
        return training.train(project, verbose=verbose, force=force)
    except training.TrainingError as exc:
        console.error(str(exc))
        return None

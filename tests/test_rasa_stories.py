"""Rasa's own test stories (tests/test_stories.yml) pass on the trained model."""
import subprocess
import sys

from bot.project import REFERENCE_ROOT
from bot.training import rasa_environment


def test_rasa_test_core_passes_every_test_story(trained_project, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--stories",
         str(REFERENCE_ROOT / "tests" / "test_stories.yml"), "--model",
         str(trained_project.model_path()), "--out", str(tmp_path)],
        cwd=REFERENCE_ROOT, env=rasa_environment(trained_project),
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text("utf-8")
    assert "None of the test stories failed" in failed, failed

"""Training failures reach the user as structured errors: a code, a Chinese message, a place."""
import shutil

import pytest

from bot.project import REFERENCE_ROOT, Project
from bot.training import TrainingError, explain_failure, train


def test_a_real_yaml_error_names_the_cause_file_and_line(tmp_path):
    for name in ("config.yml", "domain.yml"):
        shutil.copy(REFERENCE_ROOT / name, tmp_path / name)
    for folder in ("data", "shop"):
        shutil.copytree(REFERENCE_ROOT / folder, tmp_path / folder)
    broken = tmp_path / "data" / "nlu" / "returns.yml"
    lines = broken.read_text("utf-8").splitlines()
    lines[3] = lines[3] + ": [unclosed"
    broken.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(TrainingError) as caught:
        train(Project.at(tmp_path), timeout=600)
    error = caught.value
    assert error.code == "yaml_syntax"
    assert (error.file, error.line) == ("data/nlu/returns.yml", 4)
    assert str(error).startswith("YAML 格式错误（data/nlu/returns.yml 第 4 行附近）：检查缩进")


def test_a_missing_file_is_reported_before_rasa_starts(tmp_path):
    with pytest.raises(TrainingError) as caught:
        train(Project.at(tmp_path))
    assert caught.value.code == "missing_files" and "domain.yml" in str(caught.value)


def test_an_unknown_failure_shows_rasa_last_lines_and_where_the_log_is():
    error = explain_failure("Training...\nrasa.x.InvalidRule: \nContradicting rules")
    assert error.code == "unknown" and error.rasa_output.endswith("Contradicting rules")
    assert str(error) == ("训练失败。Rasa 的最后几行输出：\nTraining...\nrasa.x.InvalidRule: \nContradicting rules\n"
                          "完整日志见 var/logs/train.log，或加 --verbose 重新训练。")
    # The grader copies the log next to the report and says so.
    assert error.explain("完整日志见报告旁边的 train.log。").endswith("\n完整日志见报告旁边的 train.log。")


@pytest.mark.parametrize("log, code", [
    ("could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'", "yaml_tag"),
    ("rasa.shared.core.domain.InvalidDomain: bad", "invalid_domain"),
    ("Failed to read file 'data/nlu/basic.yml', could not read the file using utf-8", "not_utf8"),
    ("ModuleNotFoundError: No module named 'sklearn'", "missing_module"),
    ("rasa.shared.exceptions.InvalidConfigException: nope", "invalid_config"),
])
def test_each_known_cause_has_its_code_and_a_fix(log, code):
    error = explain_failure(log)
    assert error.code == code and error.fix and "Traceback" not in str(error)

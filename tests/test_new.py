"""`python -m bot new DIR`: a student workspace like a subscribed 行业包."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.project_files import read_intent_catalog, read_nlu_blocks
from bot.workspace import PLACEHOLDER, STUDENT_ANSWER_MODULE, is_placeholder, rewrite_domain, student_responses

ROOT = Path(__file__).resolve().parent.parent


def new(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "new", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def load(path: Path):
    return yaml.safe_load(path.read_text("utf-8"))


def examples_by_intent(root: Path):
    found = {}
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        for block in read_nlu_blocks(path):
            found.setdefault(block.intent, (path.name, []))[1].extend(text for text, _ in block.examples)
    return found


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("new") / "学生01"
    result = new(root)
    assert result.returncode == 0, result.stderr
    assert "已创建练习工作区" in result.stdout
    return root


@pytest.fixture(scope="module")
def catalog():
    return read_intent_catalog(ROOT / "shop")


def test_workspace_has_the_reference_layout(workspace):
    for name in ("config.yml", "endpoints.yml", "domain.yml", "README.md", "data/README.md"):
        assert (workspace / name).is_file(), name
    for folder in ("data/nlu", "data/rules", "data/stories"):
        assert sorted(p.name for p in (workspace / folder).glob("*.yml")) == \
               sorted(p.name for p in (ROOT / folder).glob("*.yml")), folder
    assert sorted(p.name for p in (workspace / "shop").iterdir()) == \
           sorted(p.name for p in (ROOT / "shop").iterdir() if not p.name.startswith("."))
    assert (workspace / "var").is_dir() and not any((workspace / "var").iterdir())
    assert not (workspace / "models").exists()
    for name in ("config.yml", "endpoints.yml"):
        assert (workspace / name).read_bytes() == (ROOT / name).read_bytes()
    for path in list((ROOT / "data" / "rules").glob("*.yml")) + list((ROOT / "data" / "stories").glob("*.yml")):
        assert (workspace / path.relative_to(ROOT)).read_bytes() == path.read_bytes(), path.name


def test_one_standard_question_per_intent_in_the_reference_file(workspace, catalog):
    reference = examples_by_intent(ROOT)
    student = examples_by_intent(workspace)
    domain_intents = load(workspace / "domain.yml")["intents"]
    assert set(student) == set(reference)
    fallbacks = set(catalog.fallback_intents.values())
    assert fallbacks and not fallbacks & set(student)  # 类别兜底 intents get no examples
    for intent in set(domain_intents) - fallbacks:
        file_name, examples = student[intent]
        assert file_name == reference[intent][0], intent
        assert examples == [catalog.intents[intent].standard], intent


def test_nlu_comments_are_kept(workspace):
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        comments = [line for line in path.read_text("utf-8").splitlines() if line.lstrip().startswith("#")]
        copied = (workspace / "data" / "nlu" / path.name).read_text("utf-8")
        assert all(comment in copied for comment in comments), path.name


def test_faq_answers_are_placeholders_and_the_rest_is_kept(workspace, catalog):
    reference, student = load(ROOT / "domain.yml"), load(workspace / "domain.yml")
    answers = student_responses(catalog)
    assert answers and {a.module for a in answers.values()} == {STUDENT_ANSWER_MODULE}
    for name, variants in student["responses"].items():
        if name in answers:
            assert len(variants) == 1 and is_placeholder(variants[0]["text"]), name
            assert answers[name].standard in variants[0]["text"]
        else:
            assert variants == reference["responses"][name], name
    assert set(student["responses"]) == set(reference["responses"])
    assert student["responses"]["utter_ask_order_id"] == reference["responses"]["utter_ask_order_id"]
    assert "utter_ask_shipping_fee" in answers and "utter_greet" in answers
    for key in ("intents", "entities", "slots", "forms", "actions", "session_config"):
        assert student.get(key) == reference.get(key), key
    text = (workspace / "domain.yml").read_text("utf-8")
    assert text.count(PLACEHOLDER) == len([n for n in answers if n in reference["responses"]])


def test_readme_explains_the_exercise_in_chinese(workspace):
    readme = (workspace / "README.md").read_text("utf-8")
    steps = ["写答案", "加相似问法", "检查", "训练", "测试", "诊断", "改进"]
    positions = [readme.index(step) for step in steps]
    assert positions == sorted(positions)
    assert f"--project {workspace}" in readme and "--project ." in readme
    assert PLACEHOLDER in readme


def test_keep_examples_and_keep_answers(tmp_path, catalog):
    root = tmp_path / "ws"
    result = new(root, "--keep-examples", 3, "--keep-answers")
    assert result.returncode == 0, result.stderr
    reference = examples_by_intent(ROOT)
    for intent, (_, examples) in examples_by_intent(root).items():
        assert examples[0] == catalog.intents[intent].standard
        assert 1 <= len(examples) <= 4 and len(set(examples)) == len(examples)
        assert set(examples[1:]) <= set(reference[intent][1])
    assert load(root / "domain.yml")["responses"] == load(ROOT / "domain.yml")["responses"]
    assert PLACEHOLDER not in (root / "domain.yml").read_text("utf-8")


def test_an_empty_existing_folder_is_fine(tmp_path):
    (tmp_path / "empty").mkdir()
    assert new(tmp_path / "empty").returncode == 0
    assert (tmp_path / "empty" / "domain.yml").exists()


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "作业.txt").write_text("我的作业", "utf-8")
    result = new(target)
    assert result.returncode == 2
    assert "不是空的" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in target.iterdir()] == ["作业.txt"]


def test_refuses_a_folder_inside_the_reference_data(tmp_path):
    result = new(ROOT / "data" / "学生")
    assert result.returncode == 2
    assert not (ROOT / "data" / "学生").exists()


def test_negative_keep_examples_is_a_usage_error(tmp_path):
    result = new(tmp_path / "ws", "--keep-examples", "-1")
    assert result.returncode == 2 and "负数" in result.stderr
    assert not (tmp_path / "ws").exists()


def test_rewrite_domain_handles_other_layouts(tmp_path, catalog):
    source = tmp_path / "domain.yml"
    source.write_text(
        'version: "3.1"\n'
        "responses:\n"
        "    utter_greet:\n"
        "      - text: 你好\n"
        "      - text: |\n"
        "          在的亲\n"
        "          有什么可以帮您\n"
        "    # ---- 售后 ----\n"
        "    utter_ask_order_id: [{text: 订单号发一下}]\n"
        "    utter_thanks: [{text: 不客气}]   # 谢谢\n"
        "\n"
        "    utter_goodbye:\n"
        "    - text: 再见\n"
        "      image: https://example.com/bye.png\n"
        "actions: [action_handoff]\n", "utf-8")
    target = tmp_path / "out.yml"
    assert rewrite_domain(source, target, student_responses(catalog)) == 3
    text = target.read_text("utf-8")
    domain = yaml.safe_load(text)
    assert [is_placeholder(v["text"]) for v in domain["responses"]["utter_greet"]] == [True]
    assert is_placeholder(domain["responses"]["utter_thanks"][0]["text"])
    assert domain["responses"]["utter_goodbye"] == [{"text": domain["responses"]["utter_goodbye"][0]["text"]}]
    assert domain["responses"]["utter_ask_order_id"] == [{"text": "订单号发一下"}]
    assert domain["actions"] == ["action_handoff"]
    assert "# ---- 售后 ----" in text


@pytest.mark.slow
def test_a_new_workspace_trains_and_validates(tmp_path):
    """new -> train (real) -> rasa data validate: a complete Rasa project."""
    root = tmp_path / "ws"
    assert new(root).returncode == 0
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    trained = subprocess.run([sys.executable, "-m", "bot", "train", "--project", str(root)], cwd=ROOT,
                             capture_output=True, text=True, timeout=1800, env=env)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert list((root / "models").glob("*.tar.gz"))
    validated = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", str(root / "domain.yml"),
         "--data", str(root / "data"), "--config", str(root / "config.yml")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]
    shutil.rmtree(root / "models")

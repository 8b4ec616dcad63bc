"""Broken projects, generated from a fixed seed, through the real `python -m bot check`.

Each project is the clean fixture `ok` with one kind of damage a student (or a bad
copy, a bad zip, an editor) can do, at a place the seed picks. Every one must end with
exit code 1 and a Chinese error that names the file (and the line, where the mistake
sits on a line) — never a traceback, never "no problems".

Run as a script to try the corpus on another checkout (the before/after table):
    python tests/test_check_corpus.py [CODE_DIR]
"""
from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List

import pytest

ROOT = Path(__file__).resolve().parent.parent
OK = ROOT / "tests" / "fixtures" / "check" / "ok"
SEED = 7
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FINDING = re.compile(r"^  错误 (\S+?)(?:（第 \d+ 列）)?  (.*)$")


@dataclass
class Expect:
    where: str                  # "file:line" as the report prints it; "file": any line or none
    name: str = ""              # a file the message must name (when `where` is the project)


@dataclass
class Case:
    name: str
    project: Path
    expect: Expect


class Damage:
    """Edits one copy of `ok`; `rng` picks where."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng

    def lines(self, rel: str) -> List[str]:
        return (self.root / rel).read_text("utf-8").split("\n")

    def write(self, rel: str, lines: List[str]) -> None:
        (self.root / rel).write_text("\n".join(lines), encoding="utf-8")

    def pick(self, rel: str, pattern: str) -> int:
        """A random 1-based line of `rel` matching `pattern`."""
        found = [n for n, line in enumerate(self.lines(rel), 1) if re.search(pattern, line)]
        assert found, (rel, pattern)
        return self.rng.choice(found)

    def data_file(self, kind: str, pattern: str = "") -> str:
        """A random file of data/<kind>/ with a line matching `pattern`."""
        files = sorted(p.relative_to(self.root).as_posix() for p in (self.root / "data" / kind).glob("*.yml"))
        return self.rng.choice([f for f in files if any(re.search(pattern, line) for line in self.lines(f))])

    def edit(self, rel: str, pattern: str, change: Callable[[str], str]) -> Expect:
        lines = self.lines(rel)
        n = self.pick(rel, pattern)
        lines[n - 1] = change(lines[n - 1])
        self.write(rel, lines)
        return Expect(f"{rel}:{n}")

    def edit_data(self, kind: str, pattern: str, change: Callable[[str], str]) -> Expect:
        """`edit` on a random file of data/<kind>/ that has such a line."""
        return self.edit(self.data_file(kind, pattern), pattern, change)

    def insert(self, rel: str, after_pattern: str, new: List[str]) -> Expect:
        lines = self.lines(rel)
        n = self.pick(rel, after_pattern)
        lines[n:n] = new
        self.write(rel, lines)
        return Expect(f"{rel}:{n + 1}")

    def replace_section(self, rel: str, key: str, new: str) -> Expect:
        """The top-level `key:` of `rel` and everything under it become the line `new`."""
        lines = self.lines(rel)
        start = lines.index(f"{key}:")
        end = next((i for i in range(start + 1, len(lines))
                    if lines[i] and not lines[i].startswith((" ", "-", "#"))), len(lines))
        lines[start:end] = [new, ""]
        self.write(rel, lines)
        return Expect(f"{rel}:{start + 1}")

    def replace_file(self, rel: str) -> Path:
        path = self.root / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        return path


# ------------------------------------------------------------------ the kinds of damage

def tab_indent(d: Damage) -> Expect:
    return d.edit_data("nlu", r"^    - ", lambda s: "\t" + s.lstrip(" "))


def tab_in_domain(d: Damage) -> Expect:
    return d.edit("domain.yml", r"^  - [a-z_]+$", lambda s: "\t" + s.lstrip(" "))


def fullwidth_colon(d: Damage) -> Expect:
    return d.edit_data("nlu", r"^- intent: ", lambda s: s.replace(": ", "：", 1))


def fullwidth_colon_domain(d: Damage) -> Expect:
    return d.edit("domain.yml", r"^  - text: ", lambda s: s.replace("text: ", "text：", 1))


def fullwidth_space(d: Damage) -> Expect:
    return d.edit_data("rules", r"^  - intent: ", lambda s: s.replace(": ", ":\u3000", 1))


def unclosed_quote(d: Damage) -> Expect:
    return d.edit("domain.yml", r'^  - text: ".*"$', lambda s: s[:-1])


def step_indent(d: Damage) -> Expect:
    return d.edit_data("rules", r"^  - action: ", lambda s: " " + s)


def missing_dash(d: Damage) -> Expect:
    return d.edit_data("nlu", r"^    - ", lambda s: s.replace("- ", "", 1))


def misspelt_key(d: Damage) -> Expect:
    return d.edit_data("nlu", r"^- intent: ", lambda s: s.replace("intent", "intnet"))


def examples_without_pipe(d: Damage) -> Expect:
    return d.edit_data("nlu", r"^  examples: \|$", lambda s: s.replace(" |", ""))


def colon_without_space(d: Damage) -> Expect:
    return d.edit_data("rules", r"^  - action: ", lambda s: s.replace(": ", ":"))


def second_document(d: Damage) -> Expect:
    rel = d.data_file("nlu")
    return d.insert(rel, r"^- intent: ", ["---"])


def control_character(d: Damage) -> Expect:
    return d.edit_data("nlu", r"^    - ", lambda s: s + "\x07")


def answer_starts_with_brace(d: Damage) -> Expect:
    return d.edit("domain.yml", r'^  - text: "', lambda s: "  - text: {shop_name}" + s.split('"')[1])


def domain_section_wrong_type(d: Damage) -> Expect:
    key, value = d.rng.choice([("intents", "5"), ("entities", "order_id"), ("actions", "无"),
                               ("slots", "[order_id, product]"), ("responses", "亲，您好"),
                               ("forms", "- order_form")])
    return d.replace_section("domain.yml", key, f"{key}: {value}")


def data_section_wrong_type(d: Damage) -> Expect:
    kind, key = d.rng.choice([("nlu", "nlu"), ("rules", "rules"), ("stories", "stories")])
    return d.replace_section(d.data_file(kind, f"^{key}:$"), key, f"{key}: 见下面")


def steps_as_text(d: Damage) -> Expect:
    rel = d.data_file("rules")
    lines = d.lines(rel)
    n = d.pick(rel, r"^  steps:$")
    end = next((i for i in range(n, len(lines)) if not lines[i].startswith("  - ")), len(lines))
    lines[n - 1:end] = ["  steps: 先问好再回答"]
    d.write(rel, lines)
    return Expect(f"{rel}:{n}")


def unknown_intent_in_rule(d: Damage) -> Expect:
    name = "ask_" + "".join(d.rng.choice("xyzqk") for _ in range(6))
    return d.edit_data("rules", r"^  - intent: ", lambda s: re.sub(r"intent: .*", f"intent: {name}", s))


def unknown_intent_in_story(d: Damage) -> Expect:
    name = "want_" + "".join(d.rng.choice("xyzqk") for _ in range(6))
    return d.edit("data/stories/returns.yml", r"^  - intent: ",
                  lambda s: re.sub(r"intent: .*", f"intent: {name}", s))


def unknown_response_in_rule(d: Damage) -> Expect:
    return d.edit_data("rules", r"^  - action: utter_", lambda s: s + "_typo")


def version_too_old(d: Damage) -> Expect:
    rel = d.rng.choice(["domain.yml", d.data_file("nlu"), d.data_file("rules")])
    return d.edit(rel, r'^version: "3.1"$', lambda s: 'version: "2.0"')


def version_too_new(d: Damage) -> Expect:
    rel = d.data_file("nlu")
    return d.edit(rel, r'^version: "3.1"$', lambda s: 'version: "4.0"')


def python_tag(d: Damage) -> Expect:
    rel = d.data_file("nlu")
    return d.edit(rel, r"^- intent: ", lambda s: s.replace("intent: ", "intent: !!python/object/apply:os.system ", 1))


def local_tag(d: Damage) -> Expect:
    return d.edit("domain.yml", r"^  - text: ", lambda s: "  - text: !include greeting.txt")


def deep_block_nesting(d: Damage) -> Expect:
    rel = "data/nlu/deep.yml"
    d.write(rel, ['version: "3.1"', "nlu:"] + ["  " * i + "- a:" for i in range(1, 501)])
    return Expect(rel)


def deep_flow_nesting(d: Damage) -> Expect:
    rel = d.data_file("rules")
    depth = d.rng.randint(400, 2000)
    lines = d.lines(rel) + ["- rule: " + "[" * depth + "]" * depth]
    d.write(rel, lines)
    return Expect(f"{rel}:{len(lines)}")


def huge_example(d: Damage) -> Expect:
    rel = d.data_file("nlu")
    return d.edit(rel, r"^    - ", lambda s: s + "好" * d.rng.randint(100_000, 600_000))


def huge_file(d: Damage) -> Expect:
    rel = d.data_file("nlu")
    lines = d.lines(rel)
    lines += ["- intent: greet", "  examples: |"] + ["    - 在吗" + "啊" * 50] * 20_000
    d.write(rel, lines)
    return Expect(rel)


def domain_is_a_folder(d: Damage) -> Expect:
    d.replace_file("domain.yml").mkdir()
    (d.root / "domain.yml" / "intents.yml").write_text("intents:\n  - greet\n", "utf-8")
    return Expect("domain.yml")


def config_is_a_folder(d: Damage) -> Expect:
    d.replace_file("config.yml").mkdir()
    return Expect("config.yml")


def data_is_a_file(d: Damage) -> Expect:
    d.replace_file("data").write_text("nlu:\n", "utf-8")
    return Expect("data")


def intents_file_is_a_folder(d: Damage) -> Expect:
    d.replace_file("shop/intents.yml").mkdir()
    return Expect("shop/intents.yml")


def missing_domain(d: Damage) -> Expect:
    d.replace_file("domain.yml")
    return Expect("（整个项目）", "domain.yml")


def missing_config(d: Damage) -> Expect:
    d.replace_file("config.yml")
    return Expect("（整个项目）", "config.yml")


def folder_link_loop(d: Damage) -> Expect:
    rel = d.rng.choice(["data/nlu/again", "data/rules/all", "data/up"])
    target = d.rng.choice([".", ".."])
    os.symlink(target, d.root / rel)
    return Expect(rel)


def file_link_loop(d: Damage) -> Expect:
    rel = "data/nlu/self.yml"
    os.symlink("self.yml", d.root / rel)
    return Expect(rel)


def broken_link(d: Damage) -> Expect:
    rel = "data/rules/gone.yml"
    os.symlink("no_such_file.yml", d.root / rel)
    return Expect(rel)


def link_out_of_project(d: Damage) -> Expect:
    outside = d.root.parent / f"{d.root.name}-outside.yml"
    outside.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 秘密\n', "utf-8")
    rel = "data/nlu/outside.yml"
    os.symlink(outside, d.root / rel)
    return Expect(rel)


def student_component(d: Damage) -> Expect:
    name = d.rng.choice(["components.my_detector.MyDetector", "my_components.SpellFixer",
                         "components.handoff_detector.NoSuchDetector"])
    return d.edit("config.yml", r"^  - name: components\.", lambda s: f"  - name: {name}")


def duplicate_response(d: Damage) -> Expect:
    lines = d.lines("domain.yml")
    n = d.pick("domain.yml", r"^  utter_[a-z_]+:$")
    lines[n:n] = [lines[n - 1], '  - text: "亲，您好～"']
    d.write("domain.yml", lines)
    return Expect(f"domain.yml:{n + 1}")


def empty_domain(d: Damage) -> Expect:
    (d.root / "domain.yml").write_text("# 还没写\n", "utf-8")
    return Expect("domain.yml:1")


DAMAGE: List[Callable[[Damage], Expect]] = [
    tab_indent, tab_in_domain, fullwidth_colon, fullwidth_colon_domain, fullwidth_space,
    unclosed_quote, step_indent, missing_dash, misspelt_key, examples_without_pipe,
    colon_without_space, second_document, control_character, answer_starts_with_brace,
    domain_section_wrong_type, domain_section_wrong_type, data_section_wrong_type,
    data_section_wrong_type, steps_as_text, unknown_intent_in_rule,
    unknown_intent_in_story, unknown_response_in_rule, version_too_old, version_too_new,
    python_tag, local_tag, deep_block_nesting, deep_flow_nesting, huge_example, huge_file,
    domain_is_a_folder, config_is_a_folder, data_is_a_file, intents_file_is_a_folder,
    missing_domain, missing_config, folder_link_loop, file_link_loop, broken_link,
    link_out_of_project, student_component, duplicate_response, empty_domain,
]


def build(dest: Path, seed: int = SEED) -> List[Case]:
    """One damaged copy of `ok` per kind of damage, under `dest`."""
    rng = random.Random(seed)
    cases = []
    for number, damage in enumerate(DAMAGE, 1):
        name = f"{number:02d}_{damage.__name__}"
        project = dest / name
        shutil.copytree(OK, project)
        cases.append(Case(name, project, damage(Damage(project, rng))))
    return cases


# ------------------------------------------------------------------ running the CLI

def run_check(project: Path, code: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(code), RASA_TELEMETRY_ENABLED="false")
    return subprocess.run([sys.executable, "-m", "bot", "check", "--project", str(project), "--no-rasa"],
                          cwd=code, env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=300)


def problems(case: Case, result: subprocess.CompletedProcess) -> List[str]:
    """What is wrong with the check's answer for `case` (empty: all good)."""
    out = result.stdout + result.stderr
    found: List[str] = []
    if "Traceback" in out:
        found.append("traceback")
    if result.returncode != 1:
        found.append(f"exit code {result.returncode}")
    errors = [m.groups() for m in map(FINDING.match, result.stdout.splitlines()) if m]
    wanted = case.expect.where
    named = [text for where, text in errors if CHINESE.search(text) and case.expect.name in text
             and (where == wanted or ":" not in wanted and where.startswith(wanted + ":"))]
    if not named:
        found.append(f"no Chinese error at {case.expect.where}")
    return found


def run_corpus(cases: List[Case], code: Path = ROOT) -> Dict[str, List[str]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: run_check(c.project, code), cases))
    return {case.name: problems(case, result) for case, result in zip(cases, results)}


def test_the_corpus_is_the_same_every_run(tmp_path):
    first = [(c.name, c.expect) for c in build(tmp_path / "a")]
    assert first == [(c.name, c.expect) for c in build(tmp_path / "b")]
    assert len(first) >= 25


def test_every_broken_project_gets_a_chinese_error_at_its_file_and_line(tmp_path):
    cases = build(tmp_path)
    failures = {name: found for name, found in run_corpus(cases).items() if found}
    assert not failures, failures


def test_nothing_outside_the_project_is_read_through_a_link(tmp_path):
    (case,) = [c for c in build(tmp_path) if c.name.endswith("link_out_of_project")]
    result = run_check(case.project)
    assert "秘密" not in result.stdout and result.returncode == 1


@pytest.mark.slow
def test_rasas_own_check_adds_no_noise_to_a_located_mistake(tmp_path):
    """Rasa crashes on a tag or a deep file without naming it, and reads a folder named
    domain.yml as an empty domain (dozens of "not in the domain" errors): the report has
    our one located error and nothing else."""
    cases = {c.name.split("_", 1)[1]: c for c in build(tmp_path)}
    for name in ("python_tag", "domain_is_a_folder"):
        case = cases[name]
        env = dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false")
        result = subprocess.run([sys.executable, "-m", "bot", "check", "--project", str(case.project)],
                                cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8",
                                timeout=600)
        assert not problems(case, result), result.stdout
        assert "检查完成：1 个错误" in result.stdout, result.stdout


if __name__ == "__main__":
    code = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT
    with tempfile.TemporaryDirectory() as tmp:
        corpus = build(Path(tmp))
        started = time.perf_counter()
        outcome = run_corpus(corpus, code)
        seconds = time.perf_counter() - started
    failed = {name: found for name, found in outcome.items() if found}
    for name, found in failed.items():
        print(f"  {name}: {'; '.join(found)}")
    print(f"check corpus → {len(outcome)} projects → {len(failed)} failures ({seconds:.0f} s, code {code})")

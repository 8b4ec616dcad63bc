"""bot.yamlfile reads with libyaml what PyYAML reads, and lets PyYAML word what it cannot.

The corpus: every YAML file in the repository, and every file of the broken projects
of the check corpus (tabs, full-width colons, unclosed quotes, two documents, control
characters, Python tags, 500 levels of nesting...)."""
import subprocess
import sys

import pytest
import yaml

from bot import yamlfile
from bot.checks.source import TOO_DEEP, parse
from test_check_corpus import ROOT, build


def _texts(tmp_path):
    paths = [ROOT / p for p in subprocess.run(["git", "ls-files", "*.yml", "*.yaml"], cwd=ROOT, capture_output=True,
                                               text=True, check=True).stdout.split()]
    for case in build(tmp_path):
        paths += [p for p in case.project.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()]
    for path in paths:
        try:
            yield path, path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue


def _tree(node, seen=None):
    """Everything PyYAML puts in a node, marks included, aliases followed once."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return None if node is None else ("alias", node.tag)
    seen.add(id(node))
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.value, node.style, marks)
    if isinstance(node, yaml.SequenceNode):
        # flow_style: False or None for a block sequence (see bot/yamlfile.py)
        return ("seq", node.tag, bool(node.flow_style), marks, [_tree(n, seen) for n in node.value])
    return ("map", node.tag, bool(node.flow_style), marks, [(_tree(k, seen), _tree(v, seen)) for k, v in node.value])


def _outcome(read, text):
    try:
        return "read", read(text)
    except RecursionError:
        return "too deep", None
    except yaml.YAMLError as exc:
        return type(exc).__name__, str(exc)


def test_libyaml_gives_pyyaml_s_trees_values_and_errors(tmp_path):
    compared, failing, through_libyaml = 0, 0, 0
    for path, text in _texts(tmp_path):
        ours, pyyaml = _outcome(yamlfile.compose, text), _outcome(lambda t: yaml.compose(t, Loader=yaml.SafeLoader),
                                                                   text)
        assert (ours[0], _tree(ours[1]) if ours[0] == "read" else ours[1]) == \
               (pyyaml[0], _tree(pyyaml[1]) if pyyaml[0] == "read" else pyyaml[1]), path
        assert _outcome(yamlfile.safe_load, text) == _outcome(yaml.safe_load, text), path
        compared += 1
        failing += ours[0] != "read"
        through_libyaml += yamlfile.libyaml_reads(text)
    assert compared > 400 and failing >= 5 and through_libyaml > 0.9 * (compared - failing)


def test_a_plain_scalar_has_pyyaml_s_style():
    node = yamlfile.compose("a: 1\nb: '2'\nc: |\n  x\n")
    assert [v.style for _, v in node.value] == [None, "'", "|"]


@pytest.mark.parametrize("text", ["[" * 200_000 + "]" * 200_000, "- " * 200_000 + "x", "[" * 200_000 + "]" * 200_000 + "\n", "- " * 200_000 + "x\n"],
                         ids=["flow", "block", "flow_line", "block_line"])
def test_a_text_too_deep_for_libyaml_is_explained_not_a_crash(text):
    # libyaml's composer overflowed the C stack at 100,000 levels: in a child process, so a
    # crash fails the test instead of ending the run.
    code = ("import sys; from bot.checks.source import parse\n"
            "try:\n    parse(sys.stdin.read())\nexcept Exception as exc:\n    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], input=text, cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and TOO_DEEP in out.stdout, out.stderr[-2000:]


def test_the_checks_tree_keeps_lines_and_values():
    tree = parse("version: \"3.1\"\nnlu:\n- intent: 问好\n  examples: |\n    - 你好\n")
    item = tree.get("nlu").items[0]
    assert (item.line, item.get("intent").value, item.get("examples").style) == (3, "问好", "|")

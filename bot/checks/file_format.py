"""What parses as YAML but Rasa 3.6 will not read as written, located at its line.

- an explicit tag (`!!python/object:...`, `!include`, `!foo`): Rasa's safe loader
  cannot build it and stops with an error (and nothing here ever runs it);
- the training data format `version:` of domain.yml and data/: Rasa 3.6 reads "3.1".
  An older version is read as 3.1 anyway, so a file written for Rasa 2 is misread;
  a newer one is skipped whole; a number (3.1 without quotes) only draws a warning.
"""
from __future__ import annotations

from typing import Iterator, List

from rasa.shared.constants import LATEST_TRAINING_DATA_FORMAT_VERSION as RASA_VERSION

from bot.checks.findings import Finding, error, warning
from bot.checks.source import Node
from bot.checks.yaml_syntax.parse import ParsedFile

STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"
VERSIONED_KINDS = ("domain", "data")


def check(parsed: ParsedFile) -> List[Finding]:
    if parsed.tree is None:
        return []
    findings = [_tag_finding(parsed.source.rel, node) for node in _tagged(parsed.tree)]
    if parsed.kind in VERSIONED_KINDS and parsed.tree.is_map:
        findings += _version_finding(parsed.source.rel, parsed.tree)
    return findings


def _tagged(tree: Node) -> Iterator[Node]:
    """Every node with an unreadable tag, in file order (no recursion: any depth)."""
    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:  # aliases share nodes
            continue
        seen.add(id(node))
        if node.tag:
            yield node
        children = node.items if node.is_seq else [n for pair in node.pairs for n in pair]
        stack.extend(reversed(children))


def _tag_finding(rel: str, node: Node) -> Finding:
    tag = node.tag or ""
    if tag.startswith(STANDARD_TAG_PREFIX):  # as written: `!!python/object:os.system`
        tag = "!!" + tag[len(STANDARD_TAG_PREFIX):]
    return error(
        "yaml.tag", rel, node.line,
        f"这里有 YAML 标签 '{tag}'：Rasa 只读普通的文字、列表和“键: 值”，遇到标签会读取失败"
        f"（为了安全，标签里的代码也绝不会被运行）。",
        f"删掉 '{tag}'；如果它后面是一句话，只留下这句话（需要时用英文引号括起来）。",
        column=node.column)


def _version_finding(rel: str, tree: Node) -> List[Finding]:
    node = tree.get("version")
    if node is None or not node.is_scalar or node.value is None:
        return []  # no version: Rasa reads the file as the current format
    wanted = f'version: "{RASA_VERSION}"'
    if not isinstance(node.value, str) and str(node.value) == RASA_VERSION:
        return [warning(
            "yaml.version_quotes", rel, node.line,
            f"version 要写成带英文引号的文字 \"{RASA_VERSION}\"，不带引号 Rasa 会当成数字并给出警告。",
            f"改成 {wanted}。")]
    text = str(node.value).strip().strip("\"'")
    if text == RASA_VERSION:
        return []
    try:
        older = tuple(map(int, text.split("."))) < tuple(map(int, RASA_VERSION.split(".")))
    except ValueError:
        older = None  # not a version number
    if older:
        effect = (f"这是旧版 Rasa（{text}）的格式。本项目用 Rasa 3.6，它会把文件当成 {RASA_VERSION} 格式来读，"
                  f"旧格式的写法会被读错或报错")
    elif older is not None:
        effect = f"Rasa 3.6 只认到 {RASA_VERSION}，会把这个文件整个跳过，里面的内容都不会训练"
    else:
        effect = "这不是一个版本号"
    return [error(
        "yaml.version", rel, node.line,
        f"version 写的是 \"{text}\"：{effect}。",
        f"改成 {wanted}（Rasa 3.x 的训练数据格式版本），内容按参考项目的写法。")]

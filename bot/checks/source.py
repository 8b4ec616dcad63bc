"""A project's YAML files read as text and as a tree whose every value knows its line.

PyYAML composes the node graph (each node carries start/end marks); `Node` wraps it with
the constructed Python value so checks can say "data/nlu/basic.yml:12" for anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bot import textfile, yamlfile
from bot.yamlfile import MAX_DEPTH

# PyYAML's words for a text that does not parse are the ones yaml_syntax.explain
# translates (libyaml words them differently): bot.yamlfile reads with libyaml only
# what parses.
_Loader = yaml.SafeLoader


@dataclass
class Node:
    """A YAML value with its place in the file (lines are 1-based)."""

    kind: str                      # "scalar", "seq" or "map"
    value: Any = None              # scalars: the Python value (str, int, bool, None ...)
    items: List["Node"] = field(default_factory=list)                 # seq
    pairs: List[Tuple["Node", "Node"]] = field(default_factory=list)  # map, in file order
    line: int = 0
    column: int = 0                # 1-based
    style: Optional[str] = None    # scalar style: None (plain), '"', "'", '|', '>'
    tag: Optional[str] = None      # an explicit tag no safe loader reads (!!python/...)

    def get(self, key: str) -> Optional["Node"]:
        return next((v for k, v in self.pairs if k.value == key), None)

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    @property
    def is_seq(self) -> bool:
        return self.kind == "seq"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    def text(self) -> str:
        """A scalar as text ("" for null); other kinds give ""."""
        return "" if self.kind != "scalar" or self.value is None else str(self.value)


def _convert(node: yaml.Node, loader: Any, seen: Dict[int, Node]) -> Node:
    if id(node) in seen:  # aliases (&anchor / *alias) share the node
        return seen[id(node)]
    kind = "scalar" if isinstance(node, yaml.ScalarNode) else "seq" if isinstance(node, yaml.SequenceNode) else "map"
    result = seen[id(node)] = Node(kind, line=node.start_mark.line + 1, column=node.start_mark.column + 1,
                                   tag=None if node.tag in loader.yaml_constructors else node.tag)
    if kind == "scalar":
        try:
            result.value = loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            result.value = node.value
        result.style = node.style
    elif kind == "seq":
        result.items = [_convert(n, loader, seen) for n in node.value]
    else:
        result.pairs = [(_convert(k, loader, seen), _convert(v, loader, seen)) for k, v in node.value]
    return result


def parse(text: str) -> Optional[Node]:
    """The located tree of a YAML document (None for an empty file).

    Raises yaml.YAMLError (a MarkedYAMLError with problem_mark) when it does not parse,
    also when it is nested too deeply for PyYAML's recursive composer.
    """
    try:
        node = yamlfile.compose(text)
        return None if node is None else _convert(node, _Loader(""), {})
    except RecursionError:
        raise too_deep(text) from None


TOO_DEEP = "nested too deeply"


def too_deep(text: str) -> yaml.MarkedYAMLError:
    """The error for a document too deep to compose, marked where the nesting first
    goes past MAX_DEPTH (PyYAML's parser, unlike its composer, is not recursive)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return yaml.MarkedYAMLError(problem=f"{TOO_DEEP} (more than {MAX_DEPTH} levels)",
                                            problem_mark=event.start_mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return yaml.MarkedYAMLError(problem=TOO_DEEP)


@dataclass
class SourceFile:
    path: Path
    rel: str                   # posix path relative to the project root
    text: str = ""
    lines: List[str] = field(default_factory=list)  # without line endings
    newline: str = "\n"
    encoding: str = textfile.UTF8  # as saved; --fix writes UTF-8 (without BOM)
    decode_error: Optional[Tuple[int, str]] = None  # (line, message) when unreadable

    @classmethod
    def read(cls, path: Path, root: Path) -> "SourceFile":
        source = cls(path=path, rel=path.relative_to(root).as_posix())
        raw = path.read_bytes()
        try:
            text, source.encoding = textfile.decode(raw)
        except UnicodeDecodeError as exc:
            source.decode_error = (exc.object[: exc.start].count(b"\n") + 1, str(exc))
            text = raw.decode("utf-8-sig", errors="replace")
        source.newline = "\r\n" if "\r\n" in text else "\n"
        source.text = text.replace("\r\n", "\n")
        source.lines = source.text.split("\n")
        if source.lines and source.lines[-1] == "":
            source.lines.pop()
        return source

    def line(self, number: int) -> str:
        """Line `number` (1-based), or "" past the end."""
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def with_lines(self, new_lines: List[str]) -> str:
        """The file's text with `new_lines`, keeping its line ending style."""
        return self.newline.join(new_lines) + self.newline

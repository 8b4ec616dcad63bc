"""YAML read by libyaml when it parses, by PyYAML when it does not.

PyYAML's pure-Python parser took 0.26 s of CPU for the reference's 23 YAML files and
libyaml 0.015 s (plus 0.01 s for the depth check below); a graded project's files are
read twice (the checks, then the training data), ~0.5 s of CPU per project, and every
`dxm check` reads them once. The trees are the same but for two fields: libyaml gives a
plain scalar the style "" where PyYAML gives None (compose() sets it to None), and a
block sequence not indented under its key (`nlu:` then `- intent:`) the flow_style
False where PyYAML gives None (read by nothing here). tests/test_yamlfile.py compares
every node of every YAML file we have, and of the check corpus's broken projects.

A text that does not parse goes through PyYAML, so the error, its words and its place
are PyYAML's (checks/yaml_syntax translates them). So does a text nested more than
MAX_DEPTH levels: libyaml's composer recurses on the C stack (100,000 levels crashed the
process), PyYAML's raises RecursionError, which the checks explain.
"""
from __future__ import annotations

from contextlib import suppress
from typing import Any, Optional

import yaml

# Rasa's files nest a handful of levels (rules -> steps -> slot_was_set -> slot).
MAX_DEPTH = 100

_OPENS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSES = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def libyaml_reads(text: str) -> bool:
    """TEXT ends its last line, parses and nests at most MAX_DEPTH levels (libyaml's
    parser is not recursive). Without the last line's end, libyaml ends the blocks
    still open on the next line where PyYAML ends them on the last one."""
    if text and not text.endswith("\n"):
        return False
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, _OPENS):
                depth += 1
                if depth > MAX_DEPTH:
                    return False
            elif isinstance(event, _CLOSES):
                depth -= 1
    except yaml.YAMLError:
        return False
    return True


def _plain_style_as_pyyaml(root: yaml.Node) -> yaml.Node:
    seen, todo = set(), [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:  # aliases share nodes, and may point back up
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            node.style = node.style or None
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        else:
            todo.extend(n for pair in node.value for n in pair)
    return root


def compose(text: str) -> Optional[yaml.Node]:
    """The node tree of a one-document TEXT, as yaml.compose(text, SafeLoader) gives it."""
    if libyaml_reads(text):
        # A composer error (two documents, an unknown alias) is worded by PyYAML below.
        with suppress(yaml.YAMLError):
            node = yaml.compose(text, Loader=yaml.CSafeLoader)
            return None if node is None else _plain_style_as_pyyaml(node)
    return yaml.compose(text, Loader=yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """yaml.safe_load(text)."""
    if libyaml_reads(text):
        with suppress(yaml.YAMLError):
            return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.safe_load(text)

"""The one reader of a project's files for `check`, `grade`, `diagnose`, `shell` and `new`:
shop/intents.yml, data/ (NLU examples with file:line, rules, stories), domain.yml and
shop/catalog.yml. A broken file is reported (ProjectFileError, or a "broken" entry), never
guessed at. The exception, the checker's tolerant parser (bot.checks.model, which reads
misspelt keys to point at them), shares the entity-annotation rule from here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

from bot import yamlfile
from bot.project import REFERENCE_ROOT


class ProjectFileError(Exception):
    """A project file cannot be read; the message says which and why, in Chinese."""


# The module of an intent whose shop/intents.yml entry names none (older workspaces).
DEFAULT_MODULE = {"basic": "basic", "other": "basic", "product": "product"}

# data/nlu/<file> (and data/rules/<file>) for an intent of each category: the
# reference's layout, which data/README.md explains to students.
CATEGORY_FILES = {"basic": "basic.yml", "product": "product.yml", "return": "returns.yml",
                  "logistics": "logistics.yml", "quality": "quality.yml", "other": "other.yml"}


def relative(path: Path, root: Path) -> str:
    """`path` relative to the project root, with / on every system."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- shop/intents.yml

@dataclass(frozen=True)
class IntentInfo:
    name: str
    category: str      # the topic: what the customer asks about (grading counts by it)
    standard: str
    module: str = "basic"  # 店小蜜's module: basic (基础问答) / product / after_sales


@dataclass(frozen=True)
class CategoryInfo:
    """One topic category of shop/intents.yml: its label and definition."""

    code: str
    label: str
    definition: str = ""
    fallback_intent: Optional[str] = None   # the 类别兜底 intent, answered without examples


@dataclass
class IntentCatalog:
    """shop/intents.yml: the categories and every intent's category and standard question."""

    intents: Dict[str, IntentInfo] = field(default_factory=dict)
    definitions: Dict[str, CategoryInfo] = field(default_factory=dict)

    @property
    def categories(self) -> Dict[str, str]:
        """code -> Chinese label, in the file's order."""
        return {code: info.label for code, info in self.definitions.items()}

    @property
    def fallback_intents(self) -> Dict[str, str]:
        """category -> its 类别兜底 intent."""
        return {c: d.fallback_intent for c, d in self.definitions.items() if d.fallback_intent}

    def is_category_fallback(self, intent: str) -> bool:
        """A 类别兜底 intent: chosen by category, so it has no examples of its own."""
        return intent in self.fallback_intents.values()

    def category_of(self, intent: str) -> Optional[str]:
        info = self.intents.get(intent)
        return info.category if info else None

    def label_of(self, intent: str) -> str:
        """The Chinese label of an intent's category ("基础问答"), or "未登记"."""
        category = self.category_of(intent)
        info = self.definitions.get(category)
        return info.label if info else category or "未登记"


def read_intent_catalog(shop_dir: Path) -> IntentCatalog:
    """Read shop/intents.yml; an empty catalog when the file is missing."""
    path = Path(shop_dir) / "intents.yml"
    if not path.exists():
        return IntentCatalog()
    try:
        raw = yamlfile.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProjectFileError(f"{path} 不是正确的 YAML：{exc}") from exc
    if not isinstance(raw, dict):
        raise ProjectFileError(f"{path} 的内容应该是“键: 值”的格式（categories: 和 intents:）。")
    catalog = IntentCatalog()
    for code, entry in (raw.get("categories") or {}).items():
        # Older workspaces write `code: 标签`; the reference writes a definition block.
        entry = entry if isinstance(entry, dict) else {"label": entry}
        catalog.definitions[str(code)] = CategoryInfo(
            code=str(code), label=str(entry.get("label") or code),
            definition=str(entry.get("definition") or "").strip(),
            fallback_intent=str(entry["fallback_intent"]) if entry.get("fallback_intent") else None)
    for name, entry in (raw.get("intents") or {}).items():
        entry = entry if isinstance(entry, dict) else {}
        category = str(entry.get("category") or "other")
        catalog.intents[str(name)] = IntentInfo(
            name=str(name), category=category,
            standard=str(entry.get("standard") or "").strip(),
            module=str(entry.get("module") or DEFAULT_MODULE.get(category, "after_sales")))
    return catalog


@lru_cache(maxsize=1)
def reference_catalog() -> IntentCatalog:
    """The reference's shop/intents.yml: the course's categories, their labels and
    definitions (read once per process)."""
    return read_intent_catalog(REFERENCE_ROOT / "shop")


# ---------------------------------------------------------------- data/

@dataclass
class NluBlock:
    """One `- intent:` item of an NLU file, with line numbers (1-based)."""

    intent: str
    line: int                                # the "- intent:" line
    examples: List[Tuple[str, int]]          # (text without entity annotations, line)
    examples_key_line: Optional[int] = None  # the "examples:" line (0-based), for rewriting
    examples_end_line: Optional[int] = None  # first line after the examples (0-based)
    examples_indent: int = 0


ENTITY_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def strip_annotations(text: str) -> str:
    """An example's text without Rasa's entity annotations: "[P03](product)多少钱" -> "P03多少钱"."""
    return ENTITY_ANNOTATION.sub(r"\1", text)


def read_nlu_blocks(path: Path) -> List[NluBlock]:
    """The intent blocks of one NLU file. Raises yaml.YAMLError on broken YAML."""
    text = Path(path).read_text("utf-8")
    root = yamlfile.compose(text)
    nlu = next((value for key, value in root.value if key.value == "nlu"), None) \
        if isinstance(root, yaml.MappingNode) else None
    if not isinstance(nlu, yaml.SequenceNode):
        return []
    text_lines = text.splitlines()  # once: splitting per block is quadratic in a big file
    blocks = []
    for item in nlu.value:
        fields = {key.value: (key, value) for key, value in item.value} \
            if isinstance(item, yaml.MappingNode) else {}
        if "intent" not in fields:
            continue
        block = NluBlock(intent=str(fields["intent"][1].value), line=item.start_mark.line + 1, examples=[])
        if "examples" in fields:
            key, value = fields["examples"]
            block.examples_key_line = key.start_mark.line
            block.examples_indent = key.start_mark.column
            literal = isinstance(value, yaml.ScalarNode) and value.style == "|"  # a `|` block
            block.examples_end_line = max(end_line(text_lines, value.end_mark),
                                          key.start_mark.line + 1)
            raw = value.value if isinstance(value, yaml.ScalarNode) else ""
            for offset, line in enumerate(str(raw).splitlines()):
                stripped = line.strip()
                if stripped.startswith("- "):
                    number = (value.start_mark.line + offset + 2 if literal
                              else key.start_mark.line + 1)
                    block.examples.append((strip_annotations(stripped[2:]).strip(), number))
        blocks.append(block)
    return blocks


def nlu_files(data_dir: Path) -> List[Path]:
    return _yaml_files(Path(data_dir) / "nlu", "*")


def intent_places(root: Path, catalog: IntentCatalog, intents: Iterable[str]) -> Dict[str, Dict[str, Any]]:
    """intent -> where its examples are (the first block in data/nlu/), or the file of its
    category a first example belongs in (line None). Broken files are skipped."""
    found: Dict[str, Dict[str, Any]] = {}
    for path in nlu_files(Path(root) / "data"):
        try:
            blocks = read_nlu_blocks(path)
        except yaml.YAMLError:
            continue
        for block in blocks:
            found.setdefault(block.intent, {"file": relative(path, root), "line": block.line})
    return {name: found.get(name) or {"file": f"data/nlu/{CATEGORY_FILES.get(catalog.category_of(name), 'other.yml')}",
                                      "line": None} for name in intents}


def end_line(text_lines: List[str], mark) -> int:
    """The first line (0-based) after a node ending at `mark`: a mark at the start of a
    line's content (the next key, the next item) means that line is not part of it."""
    if mark.line >= len(text_lines):
        return len(text_lines)
    return mark.line if not text_lines[mark.line][: mark.column].strip() else mark.line + 1


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    file: str   # relative to the project root
    line: int


def _yaml_files(folder: Path, depth: str = "**/*") -> List[Path]:
    return sorted(p for suffix in (".yml", ".yaml") for p in folder.glob(depth + suffix) if p.is_file())


def _yaml_problem(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"YAML 格式错误（第 {mark.line + 1} 行附近）" if mark else f"无法读取：{exc}"


def read_training_data(root: Path) -> Tuple[List[Example], List[Dict[str, Any]], List[Dict[str, Any]]]:
    """(examples, rule/story step lists, broken files) of the project's data/ folder."""
    root = Path(root)
    examples: List[Example] = []
    flows: List[Dict[str, Any]] = []
    broken: List[Dict[str, Any]] = []
    for path in _yaml_files(root / "data"):
        where = relative(path, root)
        try:
            raw = yamlfile.safe_load(path.read_text("utf-8"))
            blocks = read_nlu_blocks(path) if isinstance(raw, dict) and "nlu" in raw else []
        except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
            broken.append({"file": where, "message": _yaml_problem(exc)})
            continue
        examples += [Example(example, block.intent, where, line)
                     for block in blocks for example, line in block.examples if example]
        if isinstance(raw, dict):
            flows += [{"file": where, "name": str(item.get("rule") or item.get("story") or ""),
                       "steps": item["steps"]}
                      for kind in ("rules", "stories") for item in raw.get(kind) or []
                      if isinstance(item, dict) and isinstance(item.get("steps"), list)]
    return examples, flows, broken


def read_domain(root: Path) -> Tuple[Optional[Dict[str, Any]], Optional[Dict[str, Any]]]:
    """(domain dict, broken-file finding)."""
    path = Path(root) / "domain.yml"
    if not path.exists():
        return None, {"file": "domain.yml", "message": "缺少 domain.yml"}
    try:
        raw = yamlfile.safe_load(path.read_text("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, {"file": "domain.yml", "message": _yaml_problem(exc)}
    return (raw if isinstance(raw, dict) else {}), None


def domain_intents(domain: Dict[str, Any]) -> List[str]:
    """The domain's intent names (an intent with properties is a one-key mapping)."""
    return [str(name) for item in domain.get("intents") or []
            for name in (item if isinstance(item, dict) else [item])]


# ---------------------------------------------------------------- shop/catalog.yml

def catalog_products(root: Path) -> List[Dict[str, Any]]:
    """The products of the project's shop/catalog.yml (none if it is missing)."""
    path = Path(root) / "shop" / "catalog.yml"
    if not path.exists():
        return []
    return (yamlfile.safe_load(path.read_text("utf-8")) or {}).get("products") or []

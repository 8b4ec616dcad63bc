"""Student workspaces, like subscribing to 店小蜜's 行业包: every intent of the reference
shop (same names, categories and files) with ONE standard question each, and the FAQ
answers of domain.yml replaced by a visible placeholder. What the custom actions need
(their responses, rules, stories, shop/ facts) is kept, so the product and after-sales
flows work from the first training.
"""
from __future__ import annotations

import datetime as _dt
import json
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import yaml

from bot import pages
from bot.course import MIN_EXAMPLES
from bot.project import REFERENCE_ROOT
from bot.project_files import (CATEGORY_FILES, IntentCatalog, IntentInfo, NluBlock, ProjectFileError,
                               domain_intents, end_line, nlu_files, read_domain, read_intent_catalog,
                               read_nlu_blocks, read_training_data)

# The placeholder every unwritten answer starts with. The checker and the grader
# recognise unwritten answers with `is_placeholder`; keep the marker in this one place.
PLACEHOLDER = "【请在这里写答案】"

# Answers the student writes: utter_<intent> of the intents in 店小蜜's 基础问答 module
# (shop/intents.yml `module: basic`). Every other response (utter_ask_order_id,
# utter_quality_apology, answers of the after-sales intents, anything the actions
# send) is kept as in the reference.
STUDENT_ANSWER_MODULE = "basic"

# What `new` copies as it is. domain.yml and data/nlu/ are rewritten; README.md is new.
COPIED_FILES = ["config.yml", "endpoints.yml"]
COPIED_DIRS = ["data", "shop"]


def is_placeholder(text: Optional[str]) -> bool:
    """True for an answer the student has not written yet (the marker is still there)."""
    return PLACEHOLDER in (text or "")


class WorkspaceError(ProjectFileError):
    """A workspace cannot be created; the message says why, in Chinese."""


def student_responses(catalog: IntentCatalog) -> Dict[str, IntentInfo]:
    """Response name -> intent, for every answer the student writes."""
    return {f"utter_{info.name}": info for info in catalog.intents.values()
            if info.module == STUDENT_ANSWER_MODULE}


# ---------------------------------------------------------------- `new`

@dataclass
class WorkspaceSummary:
    root: Path
    intents_by_category: Dict[str, int]
    placeholders: int
    examples: int
    warnings: List[str]


def check_target(target: Path, reference: Path) -> None:
    if target.exists() and not target.is_dir():
        raise WorkspaceError(f"{target} 已经存在而且是一个文件：请换一个文件夹名。")
    if target.is_dir() and any(target.iterdir()):
        raise WorkspaceError(
            f"文件夹 {target} 已经存在而且不是空的，为了不覆盖里面的东西，没有创建工作区。"
            "请换一个新的文件夹名，或者先把它清空。")
    for name in ("data", "shop", "models", "var", "actions", "components", "bot", "tests"):
        if target == reference / name or reference / name in target.parents:
            raise WorkspaceError(
                f"不能把工作区建在参考项目的 {name}/ 文件夹里（{target}）：那样会混进参考项目的数据。"
                "请换一个位置，例如参考项目旁边的新文件夹。")


def _replace_lines(lines: List[str], start: int, end: int, new: List[str]) -> None:
    """Replace lines[start:end], keeping the blank and comment lines at its end."""
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    lines[start:end] = new


def plan_examples(block: NluBlock, catalog: IntentCatalog, keep_examples: int,
                  seen: Dict[str, List[str]], warnings: List[str], file_name: str) -> List[str]:
    """The examples a workspace block keeps: the standard question (in the intent's
    first block only) and up to `keep_examples` reference examples."""
    info = catalog.intents.get(block.intent)
    reference_examples = [text for text, _ in block.examples if text]
    standards = {i.standard: name for name, i in catalog.intents.items() if i.standard}
    already = seen.setdefault(block.intent, [])
    if info and info.standard:
        standard = info.standard
    else:
        standard = reference_examples[0] if reference_examples else None
        if standard and not already:
            warnings.append(f"shop/intents.yml 没有登记意图 {block.intent} 的标准问题，"
                            f"用了参考项目的第一条问法“{standard}”。")
    examples = [standard] if standard and standard not in already else []
    room = max(0, keep_examples - sum(1 for e in already if e != standard))
    examples += [text for text in dict.fromkeys(reference_examples)
                 if text not in examples and text not in already
                 and standards.get(text, block.intent) == block.intent][:room]
    if not examples and standard:
        examples.append(standard)   # never leave an empty block behind
    if not examples:
        warnings.append(f"{file_name} 里的意图 {block.intent} 没有问法，已跳过。")
    already.extend(e for e in examples if e not in already)
    return examples


def rewrite_nlu_file(source: Path, destination: Path, catalog: IntentCatalog, keep_examples: int,
                     seen: Dict[str, List[str]], warnings: List[str]) -> None:
    """Write `source` to `destination` with each intent's examples cut down to the
    standard question (plus up to `keep_examples` reference examples). Comments and
    everything else stay as they were. `seen` collects intent -> examples written."""
    lines = source.read_text("utf-8").splitlines(keepends=True)
    blocks = read_nlu_blocks(source)
    plans = [plan_examples(b, catalog, keep_examples, seen, warnings, source.name) for b in blocks]
    for block, examples in reversed(list(zip(blocks, plans))):  # bottom-up: lines above stay valid
        if not examples:
            continue
        indent = " " * (2 if block.examples_key_line is None else block.examples_indent)
        new = [f"{indent}examples: |\n"] + [f"{indent}  - {e}\n" for e in examples]
        if block.examples_key_line is None:   # no examples key: add one after "- intent:"
            lines[block.line:block.line] = new
        else:
            _replace_lines(lines, block.examples_key_line, block.examples_end_line, new)
    destination.write_text("".join(lines), "utf-8")


def append_missing_intents(data_dir: Path, catalog: IntentCatalog, present: Iterable[str],
                           domain_intents: Iterable[str]) -> List[str]:
    """Domain intents registered in shop/intents.yml but without any NLU block get one
    in their category's file, with their standard question."""
    added = []
    present = set(present)
    for name in domain_intents:
        info = catalog.intents.get(name)
        if name in present or info is None or not info.standard or catalog.is_category_fallback(name):
            continue
        path = Path(data_dir) / "nlu" / CATEGORY_FILES.get(info.category, "other.yml")
        path.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text("utf-8") if path.exists() else 'version: "3.1"\nnlu:\n'
        if not text.endswith("\n"):
            text += "\n"
        text += f"# {info.standard}\n- intent: {name}\n  examples: |\n    - {info.standard}\n"
        path.write_text(text, "utf-8")
        added.append(name)
    return added


def rewrite_domain(source: Path, destination: Path, answers: Dict[str, IntentInfo]) -> int:
    """Copy domain.yml with the student's answers replaced by placeholders; the rest of
    the file (comments, order, quoting) stays byte for byte. Returns how many."""
    text = source.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    responses = next((value for key, value in root.value if key.value == "responses"), None) \
        if isinstance(root, yaml.MappingNode) else None
    if not isinstance(responses, yaml.MappingNode):
        raise WorkspaceError(f"{source} 里没有 responses:（答案）部分。")
    replaced = 0
    for key, value in reversed(responses.value):
        info = answers.get(key.value)
        if info is None:
            continue
        key_line = key.start_mark.line
        first_item = lines[value.start_mark.line]
        item_indent = first_item[: len(first_item) - len(first_item.lstrip())] \
            if value.start_mark.line > key_line else " " * key.start_mark.column
        # An unwritten answer: the marker and the question it answers.
        answer = json.dumps(f"{PLACEHOLDER}顾客问“{info.standard or info.name}”时，小悦怎么回答？",
                            ensure_ascii=False)
        new = [f"{' ' * key.start_mark.column}{key.value}:\n", f"{item_indent}- text: {answer}\n"]
        _replace_lines(lines, key_line, max(end_line(lines, value.end_mark), key_line + 1), new)
        replaced += 1
    # A hint for the student right under "responses:" (without the marker itself, so
    # the marker appears only in unwritten answers).
    index = next((i for i, line in enumerate(lines) if line.rstrip() == "responses:"), None)
    if replaced and index is not None:
        lines.insert(index + 1, f"  # 练习：把每个以“{PLACEHOLDER.strip('【】')}”开头的答案整句换成你写的话术（连【】一起删掉）。"
                                "可以用 {变量名} 引用 shop/policy.yml 里的店铺政策，例如 {free_shipping_threshold}。\n")
    destination.write_text("".join(lines), "utf-8")
    return replaced


def verify_workspace(root: Path, catalog: IntentCatalog, answers: Dict[str, IntentInfo],
                     keep_answers: bool) -> None:
    """Re-read what was written: valid YAML, every intent has examples, placeholders in place."""
    domain, problem = read_domain(root)
    examples, _, broken = read_training_data(root)
    problems = ([problem] if problem else []) + broken
    if problems:  # a bug here, not the student's doing
        raise WorkspaceError("生成的工作区文件格式有误（请把这条消息告诉老师）："
                             + "；".join(f"{p['file']}：{p['message']}" for p in problems))
    with_examples = {e.intent for e in examples}
    missing = [i for i in domain_intents(domain) if i in catalog.intents
               and i not in with_examples and not catalog.is_category_fallback(i)]
    if missing:
        raise WorkspaceError(f"生成的工作区里这些意图没有问法（请告诉老师）：{'、'.join(missing)}")
    if not keep_answers:
        responses = domain.get("responses") or {}
        unchanged = [name for name in answers if name in responses
                     and not all(is_placeholder(v.get("text")) for v in responses[name])]
        if unchanged:
            raise WorkspaceError(f"生成的工作区里这些答案没有换成占位符（请告诉老师）：{'、'.join(unchanged)}")


def create_workspace(target: Path, reference: Path = REFERENCE_ROOT, keep_examples: int = 0,
                     keep_answers: bool = False) -> WorkspaceSummary:
    target = Path(target).resolve()
    reference = Path(reference).resolve()
    check_target(target, reference)
    for name in ["domain.yml", "shop/intents.yml"] + COPIED_FILES + COPIED_DIRS:
        if not (reference / name).exists():
            raise WorkspaceError(f"参考项目 {reference} 缺少 {name}，无法创建工作区。")
    catalog = read_intent_catalog(reference / "shop")
    if not catalog.intents:
        raise WorkspaceError(f"{reference / 'shop' / 'intents.yml'} 里没有登记任何意图。")
    answers = {} if keep_answers else student_responses(catalog)
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    warnings: List[str] = []
    try:
        for name in COPIED_FILES:
            shutil.copy2(reference / name, target / name)
        for name in COPIED_DIRS:
            shutil.copytree(reference / name, target / name, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        (target / "var").mkdir()
        placeholders = rewrite_domain(reference / "domain.yml", target / "domain.yml", answers)
        written: Dict[str, List[str]] = {}
        for path in nlu_files(reference / "data"):
            rewrite_nlu_file(path, target / "data" / "nlu" / path.name, catalog, keep_examples,
                             written, warnings)
        domain, _ = read_domain(target)
        for intent in append_missing_intents(target / "data", catalog, written, domain_intents(domain or {})):
            written[intent] = [catalog.intents[intent].standard]
        verify_workspace(target, catalog, answers, keep_answers)
        counts = Counter(catalog.label_of(intent) for intent in written)
        # The catalog's order first, then labels it lacks (未登记) as they come.
        by_category = {label: counts[label] for label in [*catalog.categories.values(), *counts] if counts[label]}
        summary = WorkspaceSummary(root=target, intents_by_category=by_category, placeholders=placeholders,
                                   examples=sum(len(e) for e in written.values()), warnings=warnings)
        (target / "README.md").write_text(
            workspace_readme(summary, catalog, reference, keep_examples, keep_answers), "utf-8")
        return summary
    except BaseException:
        # Leave nothing half-made: remove what this call created.
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def workspace_readme(summary: WorkspaceSummary, catalog: IntentCatalog, reference: Path, keep_examples: int,
                     keep_answers: bool) -> str:
    """The workspace's README.md, from bot/templates/workspace_readme.md."""
    try:
        policy = yaml.safe_load((summary.root / "shop" / "policy.yml").read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError):
        policy = {}
    return pages.render(
        "workspace_readme.md", ws=summary.root, reference=reference, today=_dt.date.today().isoformat(),
        shop_name=policy.get("shop_name") or "参考店铺", total=sum(summary.intents_by_category.values()),
        categories="、".join(f"{label} {count} 个" for label, count in summary.intents_by_category.items()),
        category_files="、".join(f"{label} `{CATEGORY_FILES[code]}`" for code, label in catalog.categories.items()
                                if code in CATEGORY_FILES),
        keep_examples=keep_examples, keep_answers=keep_answers, placeholders=summary.placeholders,
        placeholder=PLACEHOLDER, min_examples=MIN_EXAMPLES)

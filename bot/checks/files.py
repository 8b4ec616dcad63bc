"""Which files the checks read: the project's files as files, before any YAML.

A required file that is missing or is a folder, a link (快捷方式) that is broken, loops
back to a folder above it or leaves the project, a file far too big for training data:
each is one finding here, and the file is not read. The content checks then treat it
like a file they could not read (no "未登记" cascade from a domain.yml that is a folder).
Links to files inside the project are followed, as Rasa follows them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from bot.checks.findings import Finding, error
from bot.project_files import relative

# (name, a folder?) Rasa cannot train without these.
REQUIRED = [("domain.yml", False), ("config.yml", False), ("data", True)]
SHOP_FILES = ["shop/intents.yml", "shop/policy.yml", "shop/catalog.yml"]
# The reference's biggest data file is about 50 KB: 2 MB is pasted text, not examples,
# and reading it would take the checks (and Rasa) minutes.
MAX_FILE_BYTES = 2_000_000


@dataclass
class Layout:
    files: List[Path] = field(default_factory=list)     # the YAML files to read
    missing: List[str] = field(default_factory=list)    # required, but absent or unusable
    skipped: List[str] = field(default_factory=list)    # rel paths not read ("data/": all of it)
    findings: List[Finding] = field(default_factory=list)

    def skip(self, name: str, finding: Finding) -> None:
        self.findings.append(finding)
        self.skipped.append(name)


def link_problem(path: Path, root: Path) -> Optional[str]:
    """What is wrong with the link at `path` (Chinese), or None when it is a link to a
    file inside the project (or not a link at all)."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a loop, on Python 3.10
        return "它指向的地方不存在，或者绕了一圈又指回自己，谁也读不到它"
    if target.is_dir():
        if target == path.parent.resolve() or target in path.parent.resolve().parents:
            return ("它指向它所在的文件夹（或更上级的文件夹）：Rasa 会沿着它一遍又一遍地读同样的文件，"
                    "每条例句都会重复很多次")
        return "它指向一个文件夹：检查和评分都不会跟着链接去读里面的文件"
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return "它指向项目外面的文件：老师评分时只读项目里的文件，不会跟着链接去读它"
    return None


def _link_finding(name: str, problem: str) -> Finding:
    return error(
        "project.link", name, None,
        f"{name} 是一个链接（快捷方式），不是真正的文件或文件夹：{problem}。",
        "删掉这个链接；需要的话把真正的文件复制到这里。")


def _required(root: Path, name: str, folder: bool, layout: Layout) -> None:
    path = root / name
    if problem := link_problem(path, root):
        finding = _link_finding(name, problem)
    elif not path.exists():
        finding = error(
            "project.missing", None, None, f"项目里缺少 {name}：Rasa 没有它就无法训练。",
            f"从参考项目复制一份 {name} 到项目目录。")
    elif folder and not path.is_dir():
        finding = error(
            "project.not_a_folder", name, None,
            f"{name} 应该是一个文件夹（里面放 nlu/、rules/、stories/），现在却是一个文件。",
            f"把这个文件改名或移走，再从参考项目复制 {name}/ 文件夹过来。")
    elif not folder and not path.is_file():
        finding = error(
            "project.not_a_file", name, None,
            f"{name} 是一个文件夹，不是文件：Rasa 要读的是一个名叫 {name} 的文件，整个项目因此无法训练。",
            f"把这个文件夹改名或移走，再从参考项目复制 {name} 文件过来。")
    else:
        return
    layout.missing.append(name)
    layout.skip(f"{name}/" if folder else name, finding)


def _add_file(path: Path, root: Path, layout: Layout) -> None:
    name = relative(path, root)
    try:
        size = path.stat().st_size
    except OSError as exc:
        layout.skip(name, unreadable(name, exc))
        return
    if size > MAX_FILE_BYTES:
        layout.skip(name, error(
            "project.too_big", name, None,
            f"{name} 有 {size / 1_000_000:.1f} MB，远远超过正常的训练数据"
            f"（参考项目最大的文件不到 0.1 MB）：多半是粘贴了大段重复内容。这个文件没有检查。",
            f"删掉多余的内容，让它小于 {MAX_FILE_BYTES // 1_000_000} MB；例句每条一行，写顾客真正会说的话。"))
    else:
        layout.files.append(path)


def unreadable(name: str, exc: OSError) -> Finding:
    return error(
        "project.unreadable", name, None,
        f"读不了 {name}（{exc.strerror or exc}）。",
        "检查这个文件是不是被其他程序占用、或者没有读取权限；关掉占用它的程序，或者重新复制一份。")


def _data_links(root: Path, layout: Layout) -> None:
    """Links anywhere under data/ (the walk does not follow them)."""
    for folder, dirs, names in os.walk(root / "data"):
        for name in sorted(dirs + names):
            path = Path(folder) / name
            if problem := link_problem(path, root):
                layout.skip(relative(path, root), _link_finding(relative(path, root), problem))
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink())


def survey(root: Path) -> Layout:
    layout = Layout()
    for name, folder in REQUIRED:
        _required(root, name, folder, layout)
    for name in ("domain.yml", "config.yml"):
        if name not in layout.missing:
            _add_file(root / name, root, layout)
    if "data" not in layout.missing:
        _data_links(root, layout)
        for path in sorted((root / "data").rglob("*")):  # not x.yml.bak-... (--fix's backups)
            name = relative(path, root)
            if path.is_file() and path.suffix in (".yml", ".yaml") and name not in layout.skipped:
                _add_file(path, root, layout)
    for name in SHOP_FILES:
        path = root / name
        if problem := link_problem(path, root):
            layout.skip(name, _link_finding(name, problem))
        elif path.is_file():
            _add_file(path, root, layout)
        elif path.exists():
            layout.skip(name, error(
                "project.not_a_file", name, None, f"{name} 是一个文件夹，不是文件。",
                f"把这个文件夹改名或移走，再从参考项目复制 {name} 文件过来。"))
    return layout

"""Finding what to grade: one project, or a class folder of project folders and .zip files.

Zip files are unpacked into the run's scratch folder, safely: no absolute paths, no
`..`, no links, a limit on files and bytes; trained models, virtualenvs and caches in
a submission are not unpacked (the grader trains its own models). File names written
by Chinese Windows (GBK, without the zip's UTF-8 flag) are decoded as GBK.
"""
from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import List, Optional

MAX_FILES = 5000
MAX_BYTES = 200 * 1024 * 1024
SKIPPED_DIRS = {"models", ".venv", "venv", "var", "__pycache__", ".git", ".rasa", "results",
                "reports", "node_modules", "__MACOSX"}
PROJECT_MARKERS = ("domain.yml", "config.yml", "data")


class ProjectsError(Exception):
    """Nothing to grade at PATH; the message says why, in Chinese."""


@dataclass
class Submission:
    name: str                     # the student: folder name or zip name
    source: Path                  # what the teacher gave (folder or .zip)
    root: Optional[Path] = None   # the project folder to grade, None when unusable
    error: Optional[str] = None   # why it cannot be graded, in Chinese


def looks_like_project(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in PROJECT_MARKERS)


def _find_root(folder: Path, depth: int = 3) -> Optional[Path]:
    """The project folder at or under `folder` (a zip often wraps it in one folder)."""
    if looks_like_project(folder):
        return folder
    if depth == 0:
        return None
    children = [c for c in sorted(folder.iterdir()) if c.is_dir() and c.name not in SKIPPED_DIRS
                and not c.name.startswith(".")]
    for child in children:
        found = _find_root(child, depth - 1)
        if found:
            return found
    return None


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: Windows wrote it in the local code page
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


def safe_members(archive: zipfile.ZipFile) -> List[tuple]:
    """(ZipInfo, relative path) of the members to unpack; raises ProjectsError if unsafe."""
    members = []
    total = 0
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise ProjectsError(f"压缩包里有 {len(infos)} 个文件，超过上限 {MAX_FILES}")
    for info in infos:
        name = _member_name(info)
        path = PurePosixPath(name)
        if path.is_absolute() or re.match(r"^[A-Za-z]:", name) or ".." in path.parts:
            raise ProjectsError(f"压缩包里有不安全的路径 {name}，已拒绝解压")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ProjectsError(f"压缩包里有链接文件 {name}，已拒绝解压")
        if info.is_dir() or any(part in SKIPPED_DIRS for part in path.parts[:-1]) or name.endswith(".tar.gz"):
            continue
        total += info.file_size
        if total > MAX_BYTES:
            raise ProjectsError(f"压缩包解压后超过 {MAX_BYTES // 1024 // 1024} MB，已拒绝解压")
        members.append((info, path))
    return members


def unzip(source: Path, target: Path) -> Path:
    """Unpack a submission; return the project folder inside it."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = safe_members(archive)
            target.mkdir(parents=True, exist_ok=True)
            for info, relative in members:
                destination = target.joinpath(*relative.parts)
                if target.resolve() not in destination.resolve().parents:
                    raise ProjectsError(f"压缩包里有不安全的路径 {relative}，已拒绝解压")
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, open(destination, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
    except zipfile.BadZipFile:
        raise ProjectsError("不是有效的 zip 压缩包（可能下载不完整）")
    root = _find_root(target)
    if root is None:
        raise ProjectsError("压缩包里没有 Rasa 项目（没有找到 domain.yml、config.yml 或 data/）")
    return root


def _submission(source: Path, unpack_to: Path) -> Submission:
    if source.suffix.lower() == ".zip":
        name = source.stem
        try:
            return Submission(name, source, unzip(source, unpack_to))
        except ProjectsError as exc:
            return Submission(name, source, error=str(exc))
    root = _find_root(source, depth=1)
    if root is None:
        return Submission(source.name, source, error="不是 Rasa 项目（没有 domain.yml、config.yml 或 data/）")
    return Submission(source.name, source, root.resolve())


def find_submissions(path: Path, scratch: Path) -> List[Submission]:
    """The submissions at PATH: the project itself, one zip, or every one of a class folder."""
    path = Path(path)
    if not path.exists():
        raise ProjectsError(f"找不到 {path}：请确认路径。")
    if path.is_file():
        if path.suffix.lower() != ".zip":
            raise ProjectsError(f"{path} 不是文件夹，也不是 .zip 压缩包。")
        return [_submission(path, scratch / "unzipped" / "000")]
    if looks_like_project(path):
        return [Submission(path.resolve().name, path, path.resolve())]
    entries = [p for p in sorted(path.iterdir(), key=lambda p: p.name)
               if not p.name.startswith((".", "_", "~"))
               and (p.is_dir() or p.suffix.lower() == ".zip")]
    if not entries:
        raise ProjectsError(f"{path} 里没有学生项目：应当是一个项目文件夹，或者装着各个学生项目（文件夹或 .zip）的文件夹。")
    return [_submission(entry, scratch / "unzipped" / f"{i:03d}") for i, entry in enumerate(entries)]


def output_names(submissions: List[Submission]) -> List[str]:
    """A folder name per submission for the reports: safe and unique."""
    names: List[str] = []
    for submission in submissions:
        base = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", submission.name).strip(" .") or "project"
        name, n = base, 2
        while name.lower() in (x.lower() for x in names):
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names

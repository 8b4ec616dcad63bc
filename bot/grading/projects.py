"""Finding what to grade: one project, or a class folder of project folders and .zip files.

Zip files are unpacked into the run's scratch folder, safely: no absolute paths, no
`..`, no links, a limit on files and bytes; models, virtualenvs and caches are left out
(the grader trains its own models). Names written by Chinese Windows (GBK, without the
zip's UTF-8 flag) are decoded as GBK. Folders are graded in place, so what the grader
reads of a project is inspected first (inspect_project): a link out of the submission
is refused, and so is a data file too big to be written by hand (zips too). Names that
are not valid UTF-8 are graded as they are and shown with console.printable.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator, List, Optional

from bot.console import printable

MAX_FILES = 5000
MAX_BYTES = 200 * 1024 * 1024
# One data file the grader reads (the reference's largest has 50 KB). Bigger files are
# not hand-written training data, and reading them costs minutes and gigabytes.
MAX_DATA_FILE_BYTES = 2 * 1024 * 1024
# What the grader reads of a project: these folders and the YAML files at its top.
READ_FOLDERS = ("data", "shop")
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
    children = [c for c in sorted(folder.iterdir()) if c.is_dir() and not c.is_symlink()
                and c.name not in SKIPPED_DIRS and not c.name.startswith(".")]
    return next((found for child in children if (found := _find_root(child, depth - 1))), None)


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: Windows wrote it in the local code page
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name.replace("\\", "/")


def safe_members(archive: zipfile.ZipFile) -> List[tuple]:
    """(ZipInfo, relative path) of the members to unpack; raises ProjectsError if unsafe."""
    members, total = [], 0
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise ProjectsError(f"压缩包里有 {len(infos)} 个文件，超过上限 {MAX_FILES}")
    for info in infos:
        name = _member_name(info)
        path = PurePosixPath(name)
        if path.is_absolute() or re.match(r"^[A-Za-z]:", name) or ".." in path.parts:
            raise ProjectsError(f"压缩包里有不安全的路径 {name}，已拒绝解压")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ProjectsError(f"压缩包里有链接文件 {name}，已拒绝解压")
        if info.is_dir() or any(part in SKIPPED_DIRS for part in path.parts[:-1]) or name.endswith(".tar.gz"):
            continue
        total += info.file_size
        if total > MAX_BYTES:
            raise ProjectsError(f"压缩包解压后超过 {MAX_BYTES // 1024 // 1024} MB，已拒绝解压")
        members.append((info, path))
    return members


def _read_by_grader(root: Path) -> Iterator[Path]:
    """What the grader (and the checker it runs) may read of a project: the YAML files
    at its top and everything under data/ and shop/. Links are listed, never entered."""
    for entry in sorted(root.iterdir()):
        if entry.name in READ_FOLDERS:
            yield entry
            for folder, dirs, files in os.walk(entry):  # os.walk does not enter links
                yield from (Path(folder, name) for name in sorted(dirs + files))
        elif entry.suffix.lower() in (".yml", ".yaml"):
            yield entry


def _inside(base: str, target: str) -> bool:
    try:
        return os.path.commonpath([base, target]) == base
    except ValueError:  # another drive (Windows)
        return False


def inspect_project(root: Path) -> Optional[str]:
    """Why the grader must not read the project at ROOT (in Chinese), or None."""
    base = os.path.realpath(root)
    for path in _read_by_grader(root):
        shown = printable(path.relative_to(root).as_posix())
        try:
            if path.is_symlink():
                if not _inside(base, os.path.realpath(path)):
                    return (f"项目里的 {shown} 是指向项目外面的链接，已拒绝评分（评分只读学生自己提交的文件，"
                            f"和压缩包里的链接一样）：请把链接换成文件本身再提交。")
            elif path.is_file() and path.stat().st_size > MAX_DATA_FILE_BYTES:
                return (f"{shown} 有 {path.stat().st_size / 1024 / 1024:.1f} MB，超过单个数据文件的上限 "
                        f"{MAX_DATA_FILE_BYTES // 1024 // 1024} MB（参考项目最大的数据文件约 50 KB），已拒绝评分："
                        f"这不像手写的训练数据，请删掉多余的内容后再提交。")
        except OSError as exc:
            return f"读不了项目里的 {shown}（{exc.strerror}），已拒绝评分：请检查这个文件后再提交。"
    return None


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
    except UnicodeDecodeError:
        raise ProjectsError("压缩包里有标成 UTF-8、其实不是 UTF-8 的文件名，无法解压：请用系统自带的压缩或 7-Zip 重新打包。")
    root = _find_root(target)
    if root is None:
        raise ProjectsError("压缩包里没有 Rasa 项目（没有找到 domain.yml、config.yml 或 data/）")
    return root


def _inspected(name: str, source: Path, root: Path) -> Submission:
    problem = inspect_project(root)
    return Submission(name, source, error=problem) if problem else Submission(name, source, root)


def _submission(source: Path, unpack_to: Path) -> Submission:
    if source.suffix.lower() == ".zip":
        name = printable(source.stem)
        try:
            return _inspected(name, source, unzip(source, unpack_to))
        except ProjectsError as exc:
            return Submission(name, source, error=str(exc))
    root = _find_root(source, depth=1)
    if root is None:
        return Submission(printable(source.name), source, error="不是 Rasa 项目（没有 domain.yml、config.yml 或 data/）")
    return _inspected(printable(source.name), source, root.resolve())


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
        return [_inspected(printable(path.resolve().name), path, path.resolve())]
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

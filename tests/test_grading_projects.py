"""Finding the projects of a class: folders, zip files (unpacked safely), broken entries."""
import os
import stat
import zipfile
from pathlib import Path

import pytest

from bot.grading.projects import (MAX_DATA_FILE_BYTES, ProjectsError, Submission, find_submissions,
                                  output_names)


def make_project(folder, marker="domain.yml"):
    folder.mkdir(parents=True)
    (folder / marker).write_text("version: '3.1'\n", "utf-8")
    (folder / "data").mkdir()
    return folder


def zip_of(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_a_project_folder_is_graded_alone(tmp_path):
    project = make_project(tmp_path / "me")
    [submission] = find_submissions(project, tmp_path / "scratch")
    assert (submission.name, submission.root, submission.error) == ("me", project.resolve(), None)


def test_a_class_folder_holds_folders_and_zips(tmp_path):
    klass = tmp_path / "班级"
    make_project(klass / "01_张三")
    make_project(klass / "02_李四" / "wrapped" / "shop-bot")          # one folder deeper
    (klass / "03_王五").mkdir(parents=True)                           # not a project
    zip_of(klass / "04_赵六.zip", {"作业/domain.yml": "x", "作业/data/nlu/a.yml": "nlu: []",
                                    "作业/models/old.tar.gz": "model", "作业/.venv/bin/python": "x"})
    (klass / "notes.txt").write_text("ignored", "utf-8")
    (klass / ".hidden").mkdir()
    found = find_submissions(klass, tmp_path / "scratch")
    assert [s.name for s in found] == ["01_张三", "02_李四", "03_王五", "04_赵六"]
    assert found[0].root == (klass / "01_张三").resolve()
    assert found[1].root is None and "不是 Rasa 项目" in found[1].error  # only one level is searched
    assert found[2].error.startswith("不是 Rasa 项目")
    unzipped = found[3].root
    assert (unzipped / "domain.yml").exists() and (unzipped / "data" / "nlu" / "a.yml").exists()
    assert not (unzipped / "models").exists() and not (unzipped / ".venv").exists()
    assert (tmp_path / "scratch") in unzipped.parents


@pytest.mark.parametrize("name", ["../evil.yml", "/etc/evil.yml", "a/../../evil.yml", "C:/evil.yml"])
def test_path_traversal_in_a_zip_is_refused(tmp_path, name):
    archive = zip_of(tmp_path / "bad.zip", {"domain.yml": "x", name: "boom"})
    [submission] = find_submissions(archive, tmp_path / "scratch")
    assert submission.root is None and "不安全的路径" in submission.error
    assert not (tmp_path / "evil.yml").exists()


def test_links_in_a_zip_are_refused(tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("domain.yml", "x")
        link = zipfile.ZipInfo("data")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc")
    [submission] = find_submissions(archive, tmp_path / "scratch")
    assert "链接文件" in submission.error


def test_not_a_zip_and_zip_without_project(tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "broken.zip").write_bytes(b"not a zip")
    zip_of(klass / "empty.zip", {"readme.txt": "hi"})
    found = find_submissions(klass, tmp_path / "scratch")
    assert "不是有效的 zip" in found[0].error
    assert "没有 Rasa 项目" in found[1].error


class WindowsZipInfo(zipfile.ZipInfo):
    """Names in GBK without the UTF-8 flag, the way Chinese Windows writes zips."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits


def test_windows_zip_names_in_gbk_are_decoded(tmp_path):
    archive = tmp_path / "gbk.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name in ("作业/domain.yml", "作业/data/说明.yml"):
            z.writestr(WindowsZipInfo(name), "x")
    [submission] = find_submissions(archive, tmp_path / "scratch")
    assert submission.root.name == "作业"
    assert (submission.root / "data" / "说明.yml").exists()


def test_errors_for_the_whole_path(tmp_path):
    with pytest.raises(ProjectsError, match="找不到"):
        find_submissions(tmp_path / "nowhere", tmp_path / "scratch")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProjectsError, match="没有学生项目"):
        find_submissions(tmp_path / "empty", tmp_path / "scratch")
    (tmp_path / "file.txt").write_text("x", "utf-8")
    with pytest.raises(ProjectsError, match="不是文件夹"):
        find_submissions(tmp_path / "file.txt", tmp_path / "scratch")


def test_report_folder_names_are_safe_and_unique(tmp_path):
    subs = [Submission(name, tmp_path) for name in ("张三", "张三", "a/b", "..", "Z:x")]
    assert output_names(subs) == ["张三", "张三-2", "a_b", "project", "Z_x"]


def test_links_out_of_a_folder_submission_are_refused(tmp_path):
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.yml").write_text("nlu: []\n", "utf-8")
    klass = tmp_path / "班级"
    file_link = make_project(klass / "01_文件链接")
    (file_link / "data" / "secret.yml").symlink_to(outside / "secret.yml")
    folder_link = make_project(klass / "02_文件夹链接")
    (folder_link / "data" / "more").symlink_to(outside / "folder", target_is_directory=True)
    inside = make_project(klass / "03_里面的链接")
    (inside / "data" / "a.yml").write_text("nlu: []\n", "utf-8")
    (inside / "data" / "b.yml").symlink_to(inside / "data" / "a.yml")
    (inside / ".venv").mkdir()
    (inside / ".venv" / "python").symlink_to(outside / "secret.yml")  # never read by the grader
    wrapper = klass / "04_套了一层"
    wrapper.mkdir()
    (wrapper / "project").symlink_to(make_project(outside / "elsewhere"), target_is_directory=True)
    found = find_submissions(klass, tmp_path / "scratch")
    assert [s.error for s in found[:2]] == [
        "项目里的 data/secret.yml 是指向项目外面的链接，已拒绝评分（评分只读学生自己提交的文件，和压缩包里的链接一样）："
        "请把链接换成文件本身再提交。",
        "项目里的 data/more 是指向项目外面的链接，已拒绝评分（评分只读学生自己提交的文件，和压缩包里的链接一样）："
        "请把链接换成文件本身再提交。"]
    assert found[2].error is None and found[2].root == inside.resolve()
    assert found[3].root is None and "不是 Rasa 项目" in found[3].error
    [alone] = find_submissions(file_link, tmp_path / "scratch")  # one project given directly
    assert alone.root is None and "data/secret.yml 是指向项目外面的链接" in alone.error
    (inside / "data" / "models").symlink_to(outside / "folder")  # a name skipped elsewhere, read here
    assert "data/models 是指向项目外面的链接" in find_submissions(inside, tmp_path / "scratch")[0].error


def test_a_data_file_too_big_to_be_written_by_hand_is_refused(tmp_path):
    project = make_project(tmp_path / "big")
    (project / "data" / "big.yml").write_bytes(b"#" * (MAX_DATA_FILE_BYTES + 1))
    (project / "notes.pdf").write_bytes(b"#" * (MAX_DATA_FILE_BYTES + 1))  # not read by the grader
    [submission] = find_submissions(project, tmp_path / "scratch")
    assert submission.root is None
    assert submission.error.startswith("data/big.yml 有 2.0 MB，超过单个数据文件的上限 2 MB")
    (project / "data" / "big.yml").unlink()
    assert find_submissions(project, tmp_path / "scratch")[0].error is None
    zipped = zip_of(tmp_path / "big.zip", {"作业/domain.yml": "x", "作业/data/big.yml": "#" * (MAX_DATA_FILE_BYTES + 1)})
    assert "超过单个数据文件的上限" in find_submissions(zipped, tmp_path / "scratch")[0].error


class FlaggedRawZipInfo(zipfile.ZipInfo):
    """A name written as the given bytes but flagged UTF-8, the way a broken zipper does."""

    def __init__(self, raw):
        super().__init__("x")
        self.raw = raw

    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits | 0x800


def test_names_that_are_not_utf8_are_shown_readably(tmp_path):
    klass = tmp_path / "class"
    gbk = make_project(Path(os.fsdecode(bytes(klass) + b"/02_\xd5\xc5\xc8\xfd")))   # 张三 in GBK
    (gbk / "data" / os.fsdecode(b"\xff.yml")).write_text("nlu: []\n", "utf-8")
    make_project(Path(os.fsdecode(bytes(klass) + b"/03_\xff\xfe")))
    with zipfile.ZipFile(os.fsdecode(bytes(klass) + b"/04_\xd1\xb9\xcb\xf5.zip"), "w") as z:  # 压缩 in GBK
        z.writestr("domain.yml", "x")
        z.writestr(FlaggedRawZipInfo(b"data/\xff.yml"), "x")
    found = find_submissions(klass, tmp_path / "scratch")
    assert [s.name for s in found] == ["02_张三", "03_\ufffd\ufffd", "04_压缩"]
    assert found[0].root == gbk.resolve() and found[0].error is None
    assert "标成 UTF-8、其实不是 UTF-8 的文件名" in found[2].error
    assert output_names(found) == ["02_张三", "03_\ufffd\ufffd", "04_压缩"]

"""Finding the projects of a class: folders, zip files (unpacked safely), broken entries."""
import stat
import zipfile

import pytest

from bot.grading.projects import ProjectsError, Submission, find_submissions, output_names


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

"""The school PCs: Chinese Windows consoles (GBK), files saved by Notepad, Windows-safe code.

Simulated here: `chinese_console` (tests/conftest.py) runs the real CLI with the console
encoding of a Chinese Windows machine (PYTHONIOENCODING=gbk) and under a zh_CN.GB18030
locale; output must be valid in that encoding, in Chinese, and the command must exit
normally although training data and answers are full of emoji.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot import console, processes
from bot.project import REFERENCE_ROOT

ROOT = Path(__file__).resolve().parent.parent
OK = ROOT / "tests" / "fixtures" / "check" / "ok"


def run_cli(terminal, *args, stdin: bytes = b"", timeout: float = 300):
    """`python -m bot ...` with this console; (exit code, stdout, stderr) decoded strictly
    in the console's encoding (a UnicodeDecodeError here is a failure)."""
    result = subprocess.run([sys.executable, "-m", "bot", *map(str, args)], cwd=ROOT, env=terminal.env,
                            input=stdin, capture_output=True, timeout=timeout)
    return (result.returncode, result.stdout.decode(terminal.encoding),
            result.stderr.decode(terminal.encoding, errors="replace"))


# ------------------------------------------------------------------ console output


def test_what_a_gbk_console_cannot_show_disappears_and_chinese_stays(monkeypatch):
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="gbk") for _ in range(2))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    console.setup_streams()
    console.info("亲，您好😊！欢迎光临🎁～❤️ 👍🏻 ★ 한국")
    console.error("找不到文件 😣")
    # emoji (with their modifiers) vanish; other characters GBK lacks become "?"
    assert out.buffer.getvalue().decode("gbk") == "亲，您好！欢迎光临～  ★ ??\n"
    assert err.buffer.getvalue().decode("gbk") == "错误：找不到文件 \n"
    assert not console.can_show("⠋", out) and console.can_show("小悦", out)


def test_piped_input_is_read_as_utf8_or_as_the_console_encoding():
    stdin = io.TextIOWrapper(io.BytesIO("在吗\r\n".encode("utf-8") + "这个多少钱\n".encode("gbk")),
                             encoding="gbk")
    assert console.read_piped_line(stdin) == "在吗"
    assert console.read_piped_line(stdin) == "这个多少钱"
    assert console.read_piped_line(stdin) is None


def test_check_speaks_chinese_on_chinese_consoles(chinese_console):
    # the fixture's finding quotes an example with an emoji: 「请问 满多少包邮呀亲？😊」
    code, out, err = run_cli(chinese_console, "check", "--project",
                             ROOT / "tests" / "fixtures" / "check" / "example_similar", "--no-rasa")
    assert code == 0, out + err
    assert re.search("「请问 满多少包邮呀亲？(😊)?」和「满多少包邮」", out), out   # GB18030 has emoji, GBK does not
    assert "检查完成：0 个错误，1 个警告" in out
    assert "Traceback" not in err


@pytest.mark.slow
def test_the_chat_answers_on_chinese_consoles(trained_project, chinese_console):
    """printf '在吗\\n/quit\\n' | PYTHONIOENCODING=gbk dxm shell: replies carry emoji."""
    typed = "在吗\n".encode("utf-8") + "这个多少钱\n".encode(chinese_console.encoding) + b"/quit\n"
    code, out, err = run_cli(chinese_console, "shell", "--project", trained_project.root,
                             "--product", "P03", stdin=typed)
    assert code == 0, out + err
    price = yaml.safe_load((trained_project.shop / "catalog.yml").read_text("utf-8"))["products"]
    price = next(p["price"] for p in price if p["id"] == "P03")
    assert re.search(r"小悦：[^\n]*我是", out), out              # the greeting, understood
    assert re.search(rf"小悦：[^\n]*{price}", out), out         # the GBK-typed question too
    assert "再见" in out and "Traceback" not in err


# ------------------------------------------------------------------ files saved by Notepad


NOTEPAD = {"data/nlu/basic.yml": "gb18030", "data/nlu/returns.yml": "gbk",
           "domain.yml": "utf-8-sig", "shop/catalog.yml": "utf-8"}


def notepad_project(source: Path, target: Path) -> Path:
    """A project as a Windows student leaves it: files saved as GBK/GB18030 ("ANSI"; like
    Notepad, "?" for an emoji GBK lacks), as UTF-8 with BOM, and with CRLF line endings."""
    target.mkdir(parents=True)
    for name in ("config.yml", "domain.yml", "endpoints.yml"):
        if (source / name).exists():
            shutil.copy(source / name, target / name)
    for folder in ("data", "shop"):
        shutil.copytree(source / folder, target / folder)
    for rel, encoding in NOTEPAD.items():
        path = target / rel
        path.write_bytes(path.read_text("utf-8").replace("\n", "\r\n").encode(encoding, errors="replace"))
    return target


def test_notepad_files_are_found_and_explained(tmp_path):
    project = notepad_project(OK, tmp_path / "学生")
    result = subprocess.run([sys.executable, "-m", "bot", "check", "--project", str(project)],
                            cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120)
    out = result.stdout
    assert result.returncode == 1, out
    for rel in ("data/nlu/basic.yml", "data/nlu/returns.yml"):
        assert re.search(rf"错误 {rel}  文件是按 GBK 编码保存的（记事本里叫“ANSI”），不是 UTF-8", out), out
    assert "警告 domain.yml  文件是按“UTF-8 带 BOM”保存的" in out
    assert out.count("python -m bot check --fix 自动转成不带 BOM 的 UTF-8") == 3
    assert "没有运行 Rasa 自带的数据检查" in out       # Rasa would only crash on them
    assert "检查完成：2 个错误，1 个警告" in out


@pytest.mark.slow
def test_fix_converts_them_and_rasa_reads_them(tmp_path, chinese_console):
    project = notepad_project(OK, chinese_console.path(tmp_path, "学生"))
    before = {rel: (project / rel).read_bytes() for rel in NOTEPAD}

    code, out, err = run_cli(chinese_console, "check", "--project", project, "--fix")

    assert "把 3 个文件转成了 UTF-8 编码" in out, out + err
    assert "data/nlu/basic.yml：GBK → UTF-8" in out and "domain.yml：UTF-8（带 BOM） → UTF-8" in out
    for rel in ("data/nlu/basic.yml", "data/nlu/returns.yml", "domain.yml"):
        (backup,) = (project / rel).parent.glob(Path(rel).name + ".bak-*")
        assert backup.read_bytes() == before[rel]
        # the same text as before, now UTF-8 without BOM, CRLF kept
        data = (project / rel).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
        assert data.decode("utf-8").replace("\r\n", "\n") == (OK / rel).read_text("utf-8")
    assert (project / "shop/catalog.yml").read_bytes() == before["shop/catalog.yml"]  # CRLF alone is fine
    # Rasa's own `rasa data validate` reads every file and finds nothing
    assert code == 0 and "检查完成：0 个错误，0 个警告" in out, out + err


@pytest.mark.slow
@pytest.mark.parametrize("chinese_console", ["gb18030"], indirect=True)  # one real training is enough
def test_rasa_trains_on_notepad_files_once_fixed(tmp_path, chinese_console):
    """Before --fix training stops with the way out; after it Rasa trains normally."""
    project = notepad_project(REFERENCE_ROOT, chinese_console.path(tmp_path, "学生"))
    code, out, err = run_cli(chinese_console, "train", "--project", project, timeout=600)
    assert code == 1 and "文件 basic.yml 不是 UTF-8 编码" in err and "check --fix" in err, out + err

    run_cli(chinese_console, "check", "--project", project, "--fix", "--no-rasa")
    code, out, err = run_cli(chinese_console, "train", "--project", project, timeout=900)
    assert code == 0, out + err
    assert "训练模型：用时" in out and list((project / "models").glob("*.tar.gz"))
    log = (project / "var" / "logs" / "train.log").read_text("utf-8")   # the log is UTF-8
    assert re.search(r"model is trained and saved at '.*学生", log), log[-500:]


def test_the_graders_static_analysis_reads_crlf_and_bom_files_like_the_others(tmp_path):
    from bot.project_files import read_domain, read_training_data

    project = tmp_path / "学生"
    shutil.copytree(OK, project)
    for path in list(project.rglob("*.yml")):
        path.write_bytes(path.read_text("utf-8").replace("\n", "\r\n").encode("utf-8-sig"))
    examples, flows, broken = read_training_data(project)
    assert broken == [] and examples
    assert (examples, flows) == read_training_data(OK)[:2]
    assert read_domain(project) == read_domain(OK)


# ------------------------------------------------------------------ Windows-safe code

# POSIX-only calls and paths; tests/ and bench/ may use them, the package may not.
FORBIDDEN = {
    r"\bsignal\.SIG(?!INT\b)": "POSIX signals (Windows has no SIGKILL/SIGTERM to send)",
    r"\bos\.(fork|killpg|setsid|setpgrp|getpgid|getuid|geteuid)\b": "POSIX-only os call",
    r"\bpreexec_fn\b|\bstart_new_session\b": "POSIX-only subprocess option",
    r"shell\s*=\s*True": "a shell pipeline (cmd.exe is not sh)",
    r"[\"']/tmp\b|/dev/null": "a POSIX path (use tempfile / subprocess.DEVNULL)",
    r"^\s*(import|from)\s+(fcntl|termios|pwd|grp|resource)\b": "a POSIX-only module",
    r"PATH.*[\"']:[\"']": "a path list joined with ':' (use os.pathsep)",
}
# The one place that knows how each system groups and stops processes.
ALLOWED = {("bot/processes.py", r"\bsignal\.SIG(?!INT\b)"),
           ("bot/processes.py", r"\bos\.(fork|killpg|setsid|setpgrp|getpgid|getuid|geteuid)\b"),
           ("bot/processes.py", r"\bpreexec_fn\b|\bstart_new_session\b")}


def package_files():
    for folder in ("bot", "actions", "components"):
        yield from sorted((ROOT / folder).rglob("*.py"))
    yield ROOT / "start.py"


def test_the_package_has_no_posix_only_calls():
    found = []
    for path in package_files():
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for pattern, why in FORBIDDEN.items():
                if re.search(pattern, line) and (rel, pattern) not in ALLOWED:
                    found.append(f"{rel}:{number}: {why}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_forbidden_patterns_catch_what_they_mean():
    bad = ['os.killpg(pid, signal.SIGKILL)', 'Popen(cmd, start_new_session=True)',
           'subprocess.run("a | b", shell=True)', 'open("/tmp/x")', 'import fcntl',
           'env["PYTHONPATH"] = root + ":" + env["PYTHONPATH"]']
    for line in bad:
        assert any(re.search(p, line) for p in FORBIDDEN), line
    assert not any(re.search(p, "except KeyboardInterrupt:  # signal.SIGINT") for p in FORBIDDEN)


def test_kill_tree_stops_a_worker_and_the_server_it_started(tmp_path):
    """What the grader does to a worker past its time limit (with its action server)."""
    child_pid = tmp_path / "child.pid"
    script = (f"import subprocess, sys, time\n"
              f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
              f"open({str(child_pid)!r}, 'w').write(str(child.pid))\n"
              f"time.sleep(120)\n")
    worker = subprocess.Popen([sys.executable, "-c", script], **processes.own_group())
    deadline = time.monotonic() + 30
    while not (child_pid.exists() and child_pid.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(child_pid.read_text())
    processes.kill_tree(worker)
    assert worker.returncode is not None
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"


@pytest.mark.slow
def test_the_action_server_listens_on_this_computer_only(trained_project):
    """No firewall prompt on Windows and nothing open to the lab network: 127.0.0.1 only."""
    from bot.action_server import ActionServer

    with ActionServer(trained_project) as server:
        listening = [line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                     if line.split()[3] == "0A"]               # state LISTEN
        assert f"0100007F:{server.port:04X}" in listening          # 127.0.0.1:port
        assert f"00000000:{server.port:04X}" not in listening      # not 0.0.0.0:port

#!/usr/bin/env python3
"""One command to set up and run the shop bot (standard library only).

    python3 start.py            # install if needed, train if data changed, open the chat
    python3 start.py test       # install if needed, run the test suite
    python3 start.py setup      # install only
    python3 start.py train ...  # any other words are passed to `python -m bot`

Rasa 3.6 supports Python 3.8-3.10; it also runs on 3.11 with the pinned lock.
This script finds such a Python (PATH, pyenv, the Windows py launcher), builds
.venv from requirements/lock.txt once, and reinstalls only when the lock changes.
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv")
LOCK = os.path.join(ROOT, "requirements", "lock.txt")
STAMP = os.path.join(VENV, ".installed-lock")
PREFERRED = ["3.10", "3.11"]  # 3.10 is officially supported by Rasa 3.6; 3.11 works with the lock


def say(message):
    print("[start] " + message, flush=True)


def python_version(executable):
    try:
        out = subprocess.run(
            executable + ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30,
        ).stdout.decode().strip()
        return out or None
    except (OSError, subprocess.SubprocessError):
        return None


def candidates(version):
    """Executables that may be Python `version`, the way a user's machine offers them."""
    yield [sys.executable]
    for name in ("python" + version, "python3", "python"):
        path = shutil.which(name)
        if path:
            yield [path]
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for path in sorted(glob.glob(os.path.join(pyenv_root, "versions", version + ".*", "bin", "python")), reverse=True):
        yield [path]
    if shutil.which("py"):
        yield ["py", "-" + version]


def find_python():
    for version in PREFERRED:
        for executable in candidates(version):
            if python_version(executable) == version:
                return executable, version
    return None, None


def lock_digest():
    with open(LOCK, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def venv_python(platform=sys.platform):
    """The venv's interpreter: .venv\\Scripts\\python.exe on Windows, .venv/bin/python elsewhere."""
    if platform == "win32":
        return os.path.join(VENV, "Scripts", "python.exe")
    return os.path.join(VENV, "bin", "python")


def read_stamp():
    with open(STAMP, encoding="utf-8") as f:
        return f.read().strip()


def run(cmd, **kwargs):
    result = subprocess.run(cmd, cwd=ROOT, **kwargs)
    if result.returncode != 0:
        say("命令失败（退出码 %d）：%s" % (result.returncode, " ".join(cmd)))
        sys.exit(result.returncode)


def setup():
    digest = lock_digest()
    if os.path.exists(STAMP) and read_stamp() == digest and os.path.exists(venv_python()):
        return
    executable, version = find_python()
    if executable is None:
        say("没有找到 Python 3.10 或 3.11。Rasa 3.6 需要其中之一：")
        say("  推荐安装 Python 3.10：https://www.python.org/downloads/ ，或用 pyenv：pyenv install 3.10.13")
        say("  安装后重新运行：python3 start.py")
        sys.exit(2)
    if os.path.exists(venv_python()) and python_version([venv_python()]) != version:
        shutil.rmtree(VENV)
    if not os.path.exists(venv_python()):
        say("用 Python %s 创建虚拟环境 .venv ..." % version)
        run(executable + ["-m", "venv", VENV])
    say("安装依赖（第一次需要几分钟，之后不再重复）...")
    pip = [venv_python(), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    # The lock is complete, so --no-deps; rasa declares <3.11 but runs on 3.11 with these pins.
    run(pip + ["--no-deps", "--ignore-requires-python", "-r", LOCK])
    run(pip + ["--no-deps", "--no-build-isolation", "-e", ROOT])
    with open(STAMP, "w", encoding="utf-8") as f:
        f.write(digest)
    say("依赖安装完成。")


def main(argv):
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    setup()
    if argv[:1] == ["setup"]:
        return 0
    if argv[:1] == ["test"]:
        cmd = [venv_python(), "-m", "pytest"] + argv[1:]
    else:
        cmd = [venv_python(), "-m", "bot"] + (argv or ["shell"])
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The chat shell driven in a real pseudo-terminal, as a student uses it."""
import sqlite3
import subprocess
import sys

import pexpect
import yaml

from bot.project import REFERENCE_ROOT

CATALOG = {p["id"]: p for p in yaml.safe_load(
    (REFERENCE_ROOT / "shop" / "catalog.yml").read_text("utf-8"))["products"]}
POLICY = yaml.safe_load((REFERENCE_ROOT / "shop" / "policy.yml").read_text("utf-8"))


def start_shell(project, *options):
    child = pexpect.spawn(
        sys.executable, ["-m", "bot", "shell", "--project", str(project.root), *options],
        cwd=str(REFERENCE_ROOT), encoding="utf-8", timeout=120, dimensions=(40, 160))
    child.expect("输入消息开始对话")
    return child


def test_automatic_mode_answers_and_switches_the_product_page(trained_project):
    child = start_shell(trained_project, "--product", "P03")
    child.expect("你：")
    child.sendline("这个多少钱")
    child.expect(f"小悦：[^\\n]*{CATALOG['P03']['price']}")
    child.sendline("/product 耳机")
    child.expect("正在浏览商品 P11")
    child.sendline("这个多少钱呀")
    child.expect(f"小悦：[^\\n]*{CATALOG['P11']['price']}")
    child.sendline("/nonsense")
    child.expect("没有命令 /nonsense")
    child.sendline("/quit")
    child.expect("再见")
    child.expect(pexpect.EOF)


def test_debug_mode_shows_intent_and_confidence(trained_project):
    child = start_shell(trained_project, "--debug")
    child.sendline("满多少包邮")
    child.expect(f"小悦：[^\\n]*{POLICY['free_shipping_threshold']}")
    child.expect(r"\[调试\] 意图=ask_shipping_fee 置信度=[01]\.\d\d")  # 1.00 when certain
    child.sendline("/quit")
    child.expect(pexpect.EOF)


def test_assist_mode_offers_three_answers_and_logs_the_choice(trained_project):
    child = start_shell(trained_project, "--assist")
    child.sendline("满多少包邮")
    child.expect(r"\[1\] ask_shipping_fee")
    child.expect(r"\[3\]")
    child.expect("客服：")
    child.sendline("1")
    child.expect(f"小悦：[^\\n]*{POLICY['free_shipping_threshold']}")
    child.sendline("你们家衣服好看吗")
    child.expect("客服：")
    child.sendline("亲，好看的，买家秀可以参考一下～")
    child.expect("客服（人工）：亲，好看的")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    with sqlite3.connect(trained_project.conversations_db) as connection:
        rows = connection.execute(
            "SELECT text, chosen_intent, adopted, custom_reply FROM assist_choices ORDER BY id"
        ).fetchall()
    assert rows[-2:] == [("满多少包邮", "ask_shipping_fee", 1, None),
                         ("你们家衣服好看吗", None, 0, "亲，好看的，买家秀可以参考一下～")]


def test_long_input_and_emoji_do_not_break_the_shell(trained_project):
    child = start_shell(trained_project)
    child.sendline("问" * 3000)
    child.expect("消息太长")
    child.expect("小悦：")
    child.sendline("😀😀😀")
    child.expect("小悦：")
    child.sendline("/quit")
    child.expect(pexpect.EOF)


def test_a_piped_chat_answers_without_ever_importing_tensorflow(trained_project, tmp_path):
    """rasa_patches.without_tensorflow: no component of the reference needs TensorFlow,
    so a whole session (model, real action server, an answer, /quit) never imports it."""
    modules = tmp_path / "modules.txt"
    code = ("import atexit, runpy, sys\n"
            f"atexit.register(lambda: open({str(modules)!r}, 'w').write(' '.join(sorted(sys.modules))))\n"
            "sys.argv = ['dxm', 'shell', '--project', sys.argv[1]]\n"
            "runpy.run_module('bot', run_name='__main__', alter_sys=True)\n")
    result = subprocess.run([sys.executable, "-c", code, str(trained_project.root)],
                            input="在吗\n/quit\n".encode("utf-8"), cwd=str(REFERENCE_ROOT),
                            capture_output=True, timeout=300)
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0 and "小悦：" in out and "再见" in out, out + result.stderr.decode()
    loaded = modules.read_text().split()
    assert "rasa.core.agent" in loaded and "rasa.core.processor" in loaded
    assert not [m for m in loaded if m.split(".")[0] == "tensorflow"]

"""Train a project with `rasa train`, skipping it when the training data is unchanged."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

from bot import console
from bot.checks import components
from bot.project import REFERENCE_ROOT, Project

PHASES = {
    "CatalogJiebaTokenizer": "分词",
    "ShopEntityExtractor": "商品和订单号识别",
    "CountVectorsFeaturizer": "提取特征",
    "LogisticRegressionClassifier": "意图分类",
    "DIETClassifier": "意图分类",
    "RulePolicy": "对话规则",
    "MemoizationPolicy": "对话记忆",
    "TEDPolicy": "对话策略",
}


class TrainingError(Exception):
    """Training failed; the message says why in Chinese."""


def rasa_environment(project: Project) -> dict:
    """Environment for Rasa subprocesses serving `project` with the reference code.

    Subprocesses run with cwd = REFERENCE_ROOT: `python -m` puts the cwd first on
    sys.path, so a student's own Python files are never imported by accident.
    """
    env = console.quiet_environment()
    env["PYTHONPATH"] = os.pathsep.join([str(REFERENCE_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["SHOP_DIR"] = str(project.shop)
    env["SHOP_DB"] = str(project.shop_db)
    # The action server listens on this computer only: nothing open to the lab's
    # network, and no firewall prompt on Windows.
    env["SANIC_HOST"] = "127.0.0.1"
    return env


def explain_failure(log: str) -> str:
    """Turn Rasa's training log into a Chinese explanation with the place to fix."""
    located = re.search(r"""(?:file|File)\s*['"]?([^'"\s]+\.ya?ml)['"]?.*?line (\d+)""", log, re.S)
    where = f"（{located.group(1)} 第 {located.group(2)} 行附近）" if located else ""
    if "YamlSyntaxException" in log or "while scanning" in log or "while parsing" in log:
        return f"YAML 格式错误{where}：检查缩进、冒号后的空格、是否混用了全角符号（：　）。可先运行 `python -m bot check` 找出具体位置。"
    tag = re.search(r"could not determine a constructor for the tag '(?:tag:yaml\.org,2002:)?([^']+)'", log)
    if tag:
        return (f"YAML 里有不允许的标签 !!{tag.group(1)}{where}：训练数据只能是普通的 YAML，"
                "这种标签一律拒绝（从不执行），请删掉它。")
    if "InvalidDomain" in log:
        return "domain.yml 有错误：检查意图、槽位、答案（responses）的写法。可先运行 `python -m bot check`。"
    component = components.component_in_error(log)
    if component:
        return f"{components.explain(component)}{components.FIX}"
    not_utf8 = re.search(r"Failed to read file '([^']+)', could not read the file using utf-8|UnicodeDecodeError", log)
    if not_utf8:
        which = f"文件 {Path(not_utf8.group(1)).name} " if not_utf8.group(1) else "有文件"
        return (f"{which}不是 UTF-8 编码（多半是用记事本按 GBK/ANSI 保存的），Rasa 读不了。"
                "运行 `python -m bot check --fix` 把它转成 UTF-8（会先备份），再训练。")
    missing = re.search(r"No module named '([^']+)'", log)
    if missing:
        return f"找不到 Python 模块 {missing.group(1)}：请用 `python3 start.py setup` 重新安装依赖。"
    if "InvalidConfigException" in log:
        return "config.yml 配置有误：检查组件名称是否写错。"
    tail = "\n".join(line for line in log.strip().splitlines()[-8:])
    return f"训练失败{where}。Rasa 的最后几行输出：\n{tail}\n完整日志见 var/logs/train.log，或加 --verbose 重新训练。"


def train(project: Project, verbose: bool = False, force: bool = False,
          timeout: Optional[float] = None) -> Path:
    """Train the project unless a model for its current data exists; return the model."""
    missing = list(project.missing_files())
    if missing:
        raise TrainingError(f"项目缺少 {', '.join(missing)}：请从参考项目复制一份再训练。")
    model = project.model_path()
    if model.exists() and not force:
        console.info(f"训练数据没有变化，直接使用已有模型 {model.relative_to(project.root)}")
        return model
    log_path = project.var / "logs" / "train.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd: List[str] = [
        sys.executable, "-m", "rasa", "train",
        "--domain", str(project.domain), "--config", str(project.config),
        "--data", str(project.data), "--out", str(project.models),
        "--fixed-model-name", model.name[: -len(".tar.gz")],
    ]
    env = rasa_environment(project)
    if verbose:
        result = subprocess.run(cmd, cwd=REFERENCE_ROOT, env=console.to_console(env), timeout=timeout)
        if result.returncode != 0:
            raise TrainingError("训练失败，原因见上面 Rasa 的输出。")
        return model

    def current_phase() -> str:
        try:
            text = log_path.read_text("utf-8", errors="replace")
        except OSError:
            return ""
        found = re.findall(r"Starting to train component '(\w+)'", text)
        return PHASES.get(found[-1], found[-1]) if found else "加载训练数据"

    with open(log_path, "w", encoding="utf-8") as log, console.progress("训练模型", current_phase):
        try:
            result = subprocess.run(cmd, cwd=REFERENCE_ROOT, env=env, stdout=log,
                                    stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise TrainingError(f"训练超过 {timeout:.0f} 秒仍未完成，已停止。") from exc
    if result.returncode != 0 or not model.exists():
        raise TrainingError(explain_failure(log_path.read_text("utf-8", errors="replace")))
    return model

"""Train a project with `rasa train`, skipping it when the training data is unchanged."""
from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Sequence

from bot import console, processes
from bot.checks import components
from bot.project import REFERENCE_ROOT, Project

PHASES = {"CatalogJiebaTokenizer": "分词", "ShopEntityExtractor": "商品和订单号识别",
          "CountVectorsFeaturizer": "提取特征", "LogisticRegressionClassifier": "意图分类",
          "DIETClassifier": "意图分类", "RulePolicy": "对话规则", "MemoizationPolicy": "对话记忆",
          "TEDPolicy": "对话策略"}


@dataclass(eq=False)
class TrainingError(Exception):
    """Training failed: what is wrong and how to fix it (Chinese), and where when known.

    `code` names the cause for programs (the grader, tests): missing_files, yaml_syntax,
    yaml_tag, invalid_domain, component, not_utf8, missing_module, invalid_config,
    timeout, rasa_failed or unknown. `explain` is the message for people.
    """

    code: str
    problem: str
    fix: str = ""
    file: Optional[str] = None
    line: Optional[int] = None
    rasa_output: str = ""  # Rasa's last lines, when the cause is not recognised

    def explain(self, log_place: str = "完整日志见 var/logs/train.log，或加 --verbose 重新训练。") -> str:
        """The message; `log_place` says where the full training log is (for unknown causes)."""
        text = self.problem + (f"（{self.file} 第 {self.line} 行附近）" if self.file and self.line else "")
        if self.fix:
            text += ("" if text.endswith("。") else "：") + self.fix
        if self.rasa_output:
            text += f"。Rasa 的最后几行输出：\n{self.rasa_output}\n{log_place}"
        return text

    def __str__(self) -> str:
        return self.explain()


def require_files(project: Project) -> None:
    """Raise TrainingError when a file training needs is missing."""
    if missing := list(project.missing_files()):
        raise TrainingError("missing_files", f"项目缺少 {', '.join(missing)}", "请从参考项目复制一份再训练。")


def shop_environment(project: Project) -> Dict[str, str]:
    """Where the actions and the shop components read the project's shop: its shop/
    folder and its order database (the actions read both at every call)."""
    return {"SHOP_DIR": str(project.shop), "SHOP_DB": str(project.shop_db)}


def rasa_environment(project: Project, code: Sequence[Path] = ()) -> dict:
    """Environment for Rasa subprocesses serving `project` with the reference code (or
    with `code` first on the path: a student's own, only when allowed). They run with cwd =
    REFERENCE_ROOT: `python -m` puts the cwd first on sys.path, so a student's own Python
    files are never imported by accident."""
    # The action server listens on this computer only: nothing open to the lab's
    # network, and no firewall prompt on Windows.
    return processes.python_environment(code, **shop_environment(project), SANIC_HOST="127.0.0.1")


def explain_failure(log: str, root: Optional[Path] = None) -> TrainingError:
    """What Rasa's training log says went wrong, with the place to fix (relative to `root`)."""
    located = re.search(r"""(?:(?:file|File)\s*['"]?|\bin ")([^'"\s]+\.ya?ml)['"]?.*?line (\d+)""", log, re.S)
    where = {}
    if located:
        path = Path(located.group(1))
        if root is not None and root.resolve() in path.parents:
            path = path.relative_to(root.resolve())
        where = {"file": path.as_posix(), "line": int(located.group(2))}
    if "YamlSyntaxException" in log or "while scanning" in log or "while parsing" in log:
        return TrainingError("yaml_syntax", "YAML 格式错误",
                             "检查缩进、冒号后的空格、是否混用了全角符号（：　）。可先运行 `python -m bot check` 找出具体位置。",
                             **where)
    tag = re.search(r"could not determine a constructor for the tag '(?:tag:yaml\.org,2002:)?([^']+)'", log)
    if tag:
        return TrainingError("yaml_tag", f"YAML 里有不允许的标签 !!{tag.group(1)}",
                             "训练数据只能是普通的 YAML，这种标签一律拒绝（从不执行），请删掉它。", **where)
    if "InvalidDomain" in log:
        return TrainingError("invalid_domain", "domain.yml 有错误",
                             "检查意图、槽位、答案（responses）的写法。可先运行 `python -m bot check`。")
    if component := components.component_in_error(log):
        return TrainingError("component", components.explain(component), components.FIX)
    not_utf8 = re.search(r"Failed to read file '([^']+)', could not read the file using utf-8|UnicodeDecodeError", log)
    if not_utf8:
        which = f"文件 {Path(not_utf8.group(1)).name} " if not_utf8.group(1) else "有文件"
        return TrainingError("not_utf8", f"{which}不是 UTF-8 编码（多半是用记事本按 GBK/ANSI 保存的），Rasa 读不了。",
                             "运行 `python -m bot check --fix` 把它转成 UTF-8（会先备份），再训练。")
    if missing := re.search(r"No module named '([^']+)'", log):
        return TrainingError("missing_module", f"找不到 Python 模块 {missing.group(1)}",
                             "请用 `python3 start.py setup` 重新安装依赖。")
    if "InvalidConfigException" in log:
        return TrainingError("invalid_config", "config.yml 配置有误", "检查组件名称是否写错。")
    tail = "\n".join(log.strip().splitlines()[-8:])
    return TrainingError("unknown", "训练失败", rasa_output=tail, **where)


def train(project: Project, verbose: bool = False, force: bool = False,
          timeout: Optional[float] = None) -> Path:
    """Train the project unless a model for its current data exists; return the model."""
    require_files(project)
    model = project.model_path()
    if model.exists() and not force:
        console.info(f"训练数据没有变化，直接使用已有模型 {model.relative_to(project.root)}")
        return model
    log_path = project.var / "logs" / "train.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "rasa", "train", "--domain", str(project.domain),
           "--config", str(project.config), "--data", str(project.data),
           "--out", str(project.models), "--fixed-model-name", model.name[: -len(".tar.gz")]]
    env = rasa_environment(project)
    if verbose:
        result = subprocess.run(cmd, cwd=REFERENCE_ROOT, env=console.to_console(env), timeout=timeout)
        if result.returncode != 0:
            raise TrainingError("rasa_failed", "训练失败，原因见上面 Rasa 的输出。")
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
            raise TrainingError("timeout", f"训练超过 {timeout:.0f} 秒仍未完成，已停止。") from exc
    if result.returncode != 0 or not model.exists():
        raise explain_failure(log_path.read_text("utf-8", errors="replace"), project.root)
    return model

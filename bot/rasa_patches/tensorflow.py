"""Keep TensorFlow out of a chat whose model does not need it (issue 9: the shell's
first answer in under 4 s; importing rasa.core.agent imported TensorFlow, 2.3 s)."""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import json
import sys
import tarfile
import types
from pathlib import Path
from typing import Any, List

from bot.project import REFERENCE_ROOT

# Rasa modules that import TensorFlow as they are imported. Every chat imports the first five
# (through rasa.core.agent and the model's validator node), although only their training code
# or components use it; the last three hold components that use it. Found by blocking
# TensorFlow in a piped `dxm shell` (tests/test_rasa_patches.py keeps the list true).
TENSORFLOW_MODULES = (
    "rasa.utils.tensorflow.callback", "rasa.utils.tensorflow.data_generator",
    "rasa.nlu.classifiers.diet_classifier", "rasa.nlu.selectors.response_selector",
    "rasa.core.policies.ted_policy", "rasa.core.policies.unexpected_intent_policy",
    "rasa.nlu.featurizers.dense_featurizer.lm_featurizer",
    "rasa.nlu.featurizers.dense_featurizer.convert_featurizer",
)


class TensorFlowUnavailable(ImportError):
    """Raised when code asks for TensorFlow in a process started without it."""


class _WithoutTensorFlow(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves TENSORFLOW_MODULES as empty placeholders and refuses `tensorflow`."""

    def find_spec(self, name: str, path: Any, target: Any = None):
        if name.split(".")[0] == "tensorflow":
            raise TensorFlowUnavailable(
                f"这个模型没有用到 TensorFlow，对话进程没有加载它（{name}）。"
                "如果你改了组件，请重新训练后再开始对话。", name=name)
        return importlib.machinery.ModuleSpec(name, self) if name in TENSORFLOW_MODULES else None

    def create_module(self, spec):
        return _Placeholders(spec.name)

    def exec_module(self, module) -> None:
        """Nothing to run: the names appear when asked for (`_Placeholders`)."""


class _Placeholders(types.ModuleType):
    """A module whose every public name is a class that cannot be used: Rasa imports these
    classes only to compare other classes with them (isinstance, issubclass), and as no
    object of a placeholder class exists, every answer stays right."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)

        def refuse(*args: Any, **kwargs: Any) -> None:
            raise TensorFlowUnavailable(f"{self.__name__}.{name} 需要 TensorFlow，这个对话进程没有加载它。")

        placeholder = type(name, (), {"__module__": self.__name__, "__init__": refuse})
        setattr(self, name, placeholder)
        return placeholder


def model_classes(model: Path) -> List[str]:
    """The classes (module.Class) of the nodes of a trained model's prediction graph."""
    with tarfile.open(model, "r:gz") as archive:
        for member in archive:
            if member.name == "metadata.json":
                metadata = json.load(archive.extractfile(member))
                return sorted({node["uses"] for node in metadata["predict_schema"]["nodes"].values()})
    return []


def needs_tensorflow(classes: List[str]) -> bool:
    """Whether any of these classes may use TensorFlow: Rasa's TensorFlow components,
    and any code that is not Rasa's or the reference project's own components/."""
    def foreign(module: str) -> bool:
        spec = importlib.util.find_spec(module) if module.startswith("components.") else None
        return spec is None or REFERENCE_ROOT / "components" not in Path(spec.origin or "").parents

    return any(module in TENSORFLOW_MODULES if module.startswith("rasa.") else foreign(module)
               for module in (path.rpartition(".")[0] for path in classes))


def without_tensorflow(model: Path) -> bool:
    """Keep TensorFlow out of a process that only chats with `model`, if no component needs it.

    `import rasa.core.agent` imports TensorFlow for two training callbacks (through
    rasa.utils.train_utils), loading any model imports the DIET, ResponseSelector and TED
    modules (its training graph's validator node refers to them), and spaCy's thinc imports
    TensorFlow whenever it is installed: 2.3 of the 3.9 s of importing rasa.core.agent here
    (python -X importtime); a piped `dxm shell` answered first after ≈ 8 s. With this, those
    modules are placeholders and `import tensorflow` fails as where TensorFlow is not
    installed, which thinc handles. Only for processes that never train afterwards (training
    needs the real modules), before Rasa is imported. Returns whether it was installed.
    """
    if any(name in sys.modules for name in ("tensorflow", *TENSORFLOW_MODULES)) or any(
            isinstance(f, _WithoutTensorFlow) for f in sys.meta_path):
        return False
    try:
        classes = model_classes(model)
    except (OSError, tarfile.TarError, ValueError, KeyError):
        return False  # not a model Rasa can load either: Rasa says why
    if needs_tensorflow(classes):
        return False
    sys.meta_path.insert(0, _WithoutTensorFlow())
    return True

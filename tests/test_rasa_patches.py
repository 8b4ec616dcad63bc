"""Each patch of bot/rasa_patches.py against the Rasa code it replaces or relies on.

A test here failing after a Rasa upgrade means a patch must be revisited: the code it
replaces changed, or Rasa stopped doing what made the patch worth having.
"""
import importlib.util
import inspect
import os
import re
import subprocess
import sys

import pytest
import rasa.model_training
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.engine.caching import CACHE_SIZE_ENV, LocalTrainingCache
from rasa.engine.graph import GraphNode
from rasa.engine.training.hooks import TrainingHook
from rasa.graph_components.providers.nlu_training_data_provider import NLUTrainingDataProvider
from rasa.shared.core.events import Event
from rasa.shared.importers.importer import (CombinedDataImporter, E2EImporter,
                                            ResponsesSyncImporter, TrainingDataImporter)
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches
from bot.processes import python_environment

GOOD = {"events": [{"event": "slot", "name": "product", "value": "P01"}],
        "responses": [{"text": "亲，您好"}]}
BAD = [{"events": "not a list", "responses": []},
       {"events": [{"event": "slot", "timestamp": "yesterday"}], "responses": []},
       {"events": [], "responses": ["not an object"]}]


@pytest.fixture
def action(monkeypatch):
    """A RemoteAction, with Rasa's own check until a test patches it (undone afterwards)."""
    current = RemoteAction._validate_action_result
    monkeypatch.setattr(RemoteAction, "_validate_action_result", getattr(current, "rasa_original", current))
    monkeypatch.setattr(RemoteAction, "_schema_validator", None, raising=False)
    return RemoteAction("action_product_answer", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_rasa_still_checks_every_action_result_with_the_method_we_replace():
    assert "self._validate_action_result(response)" in inspect.getsource(RemoteAction.run)
    assert list(inspect.signature(RemoteAction.action_response_format_spec).parameters) == []


def test_the_schema_checked_once_accepts_and_rejects_what_rasa_does(action):
    rasa_patches.check_action_results_once()
    patched = RemoteAction._validate_action_result
    original = patched.rasa_original
    assert list(inspect.signature(original).parameters) == ["self", "result"]
    assert original(action, GOOD) is True and patched(action, GOOD) is True
    for bad in BAD:
        with pytest.raises(ValidationError, match="Failed to validate"):
            original(action, bad)
        with pytest.raises(ValidationError, match="动作服务器返回的数据格式不对"):
            patched(action, bad)


def test_reference_actions_are_trusted_by_shape_after_the_full_check(action):
    rasa_patches.check_action_results_once()
    rasa_patches.trust_reference_actions()
    check = RemoteAction._validate_action_result
    assert check.trusts_shape and check(action, GOOD) is True
    for bad in BAD[:1] + BAD[2:]:  # not shaped like a reply: the full check, in Chinese
        with pytest.raises(ValidationError, match="动作服务器返回的数据格式不对"):
            check(action, bad)


def test_event_types_found_once_are_the_ones_rasa_finds():
    rasa_patches.resolve_event_types_once()
    patched = Event.resolve_by_type
    original = patched.rasa_original
    assert list(inspect.signature(original).parameters) == ["type_name", "default"]
    # Rasa reads stored events by their type name through this function.
    assert "resolve_by_type" in inspect.getsource(Event.from_parameters)
    for cls in all_subclasses(Event):
        if cls.type_name != "event":
            assert patched(cls.type_name) is original(cls.type_name) is not None
            assert patched(cls.type_name) is original(cls.type_name)  # now remembered
    assert patched("no_such_event", Event) is original("no_such_event", Event) is Event
    for resolve in (patched, original):
        with pytest.raises(ValueError):
            resolve("no_such_event")


def test_the_training_hook_we_silence_only_feeds_the_cache(monkeypatch):
    # GraphNode passes the hooks' data by these names, and passes on what
    # on_before_node returns: the patched hook's `{}` and `None` fit.
    for name in ("node_name", "execution_context", "config", "received_inputs"):
        assert f"{name}=" in inspect.getsource(GraphNode._run_before_hooks)
    assert list(inspect.signature(TrainingHook.on_before_node).parameters) == [
        "self", "node_name", "execution_context", "config", "received_inputs"]
    after = inspect.getsource(TrainingHook.on_after_node)
    assert "cache_output" in after and "logger.info" not in after  # progress comes from LoggingHook
    for method in ("on_before_node", "on_after_node"):
        monkeypatch.setattr(TrainingHook, method, getattr(TrainingHook, method))
    monkeypatch.setenv(CACHE_SIZE_ENV, "1")
    rasa_patches.skip_training_cache()
    assert os.environ[CACHE_SIZE_ENV] == "0"
    assert TrainingHook.on_before_node(None, node_name="n", execution_context=None,
                                       config={}, received_inputs={}) == {}
    # Rasa reads the size when the cache is made: 0 switches it off.
    assert LocalTrainingCache()._is_disabled()


NLU = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 在吗
    - 你好
- intent: ask_shipping
  examples: |
    - 什么时候发货
    - 几天能到
"""


def _reads_and_results(monkeypatch, tmp_path):
    """How often the importer chain reads the NLU files when Rasa's training asks for
    them its three ways, and what each way gets."""
    tmp_path.mkdir()
    (tmp_path / "nlu.yml").write_text(NLU, encoding="utf-8")
    (tmp_path / "domain.yml").write_text('version: "3.1"\nintents: [greet, ask_shipping]\n', encoding="utf-8")
    (tmp_path / "config.yml").write_text("language: zh\npipeline: []\npolicies: []\n", encoding="utf-8")
    reads = []
    read = RasaFileImporter.get_nlu_data
    monkeypatch.setattr(RasaFileImporter, "get_nlu_data",
                        lambda self, language="en": reads.append(language) or read(self, language))
    importer = TrainingDataImporter.load_from_config(
        str(tmp_path / "config.yml"), str(tmp_path / "domain.yml"), [str(tmp_path / "nlu.yml")])
    results = [importer.get_nlu_data(), importer.get_nlu_data("en"), importer.get_nlu_data(language="zh")]
    importer.get_domain()
    return reads, results


def test_the_nlu_data_read_once_is_what_rasa_reads_three_times(monkeypatch, tmp_path):
    # The three ways Rasa's training asks (read_nlu_data_once's docstring).
    assert "file_importer.get_nlu_data()" in inspect.getsource(rasa.model_training.train)
    assert "get_nlu_data(language=" in inspect.getsource(NLUTrainingDataProvider.provide)
    assert "self._importer.get_nlu_data()" in inspect.getsource(ResponsesSyncImporter.get_domain)
    importers = (CombinedDataImporter, ResponsesSyncImporter, E2EImporter)
    for importer in importers:
        current = importer.get_nlu_data
        monkeypatch.setattr(importer, "get_nlu_data", getattr(current, "rasa_original", current))
    reads, as_rasa = _reads_and_results(monkeypatch, tmp_path / "rasa")
    # Rasa reads the files once per way of asking, and the language changes nothing.
    assert len(reads) == 3 and set(reads) == {"en", "zh"}
    as_rasa_examples = [sorted(m.fingerprint() for m in data.training_examples) for data in as_rasa]
    assert as_rasa_examples[0] == as_rasa_examples[1] == as_rasa_examples[2]
    assert {"在吗", "你好", "什么时候发货", "几天能到"} <= {m.get("text") for m in as_rasa[0].training_examples}

    rasa_patches.read_nlu_data_once()
    reads, patched = _reads_and_results(monkeypatch, tmp_path / "patched")
    assert len(reads) == 1
    assert patched[0] is patched[1] is patched[2]
    assert sorted(m.fingerprint() for m in patched[0].training_examples) == as_rasa_examples[0]


def test_the_modules_kept_out_of_a_chat_still_import_tensorflow():
    """If Rasa stops importing TensorFlow in one of these, drop it from the list."""
    for name in rasa_patches.TENSORFLOW_MODULES:
        source = open(importlib.util.find_spec(name).origin, encoding="utf-8").read()
        assert re.search(r"^(import tensorflow|from tensorflow|from rasa\.core\.policies\.ted_policy import)",
                         source, re.M), name


def test_rasa_imports_tensorflow_when_a_chat_starts_without_the_guard():
    """The reason for `without_tensorflow`: without it, loading Rasa's agent imports TensorFlow."""
    code = "import sys, rasa.core.agent; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), timeout=300)
    assert out.stdout.strip() == "True", out.stderr[-2000:]


def test_which_models_need_tensorflow():
    ours = ["components.intent_classifier.ShopIntentClassifier",
            "rasa.core.policies.rule_policy.RulePolicy",
            "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer"]
    assert not rasa_patches.needs_tensorflow(ours)
    assert rasa_patches.needs_tensorflow(ours + ["rasa.nlu.classifiers.diet_classifier.DIETClassifier"])
    assert rasa_patches.needs_tensorflow(ours + ["rasa.core.policies.ted_policy.TEDPolicy"])
    assert rasa_patches.needs_tensorflow(ours + ["student_code.MyClassifier"])


def test_a_student_component_shadowing_ours_counts_as_unknown(tmp_path):
    (tmp_path / "components").mkdir()
    (tmp_path / "components" / "__init__.py").write_text("")
    (tmp_path / "components" / "intent_classifier.py").write_text("import tensorflow\n")
    code = ("from bot import rasa_patches; "
            "print(rasa_patches.needs_tensorflow(['components.intent_classifier.ShopIntentClassifier']))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env=python_environment([tmp_path]), timeout=120)
    assert out.stdout.strip() == "True", out.stderr


def test_the_trained_reference_model_needs_no_tensorflow(trained_project):
    classes = rasa_patches.model_classes(trained_project.model_path())
    assert "components.intent_classifier.ShopIntentClassifier" in classes
    assert not rasa_patches.needs_tensorflow(classes)


def guard_installed(model) -> str:
    """What without_tensorflow answers for MODEL in a fresh process (it changes the process)."""
    code = "import sys; from pathlib import Path; from bot import rasa_patches; " \
           "print(rasa_patches.without_tensorflow(Path(sys.argv[1])))"
    out = subprocess.run([sys.executable, "-c", code, str(model)], capture_output=True, text=True, timeout=120)
    return out.stdout.strip() or out.stderr


def test_the_guard_is_installed_for_our_model_and_not_for_a_broken_one(trained_project, tmp_path):
    assert guard_installed(trained_project.model_path()) == "True"
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model")
    assert guard_installed(broken) == "False"  # Rasa explains a broken model itself

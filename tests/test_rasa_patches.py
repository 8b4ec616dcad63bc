"""Each patch of bot/rasa_patches/ against the Rasa code it replaces or relies on.

A test here failing after a Rasa upgrade means a patch must be revisited: the code it
replaces changed, or Rasa stopped doing what made the patch worth having.
"""
import importlib.util
import inspect
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse
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


# ---------------------------------------------------------------- training data and features


def _rasa_s_own(monkeypatch, cls, name):
    """Rasa's own cls.name during the test (a patch applied before comes back afterwards)."""
    current = cls.__dict__[name]
    function = getattr(current, "__func__", current)
    original = getattr(function, "rasa_original", function)
    monkeypatch.setattr(cls, name, staticmethod(original) if isinstance(current, staticmethod) else original)


def _messages():
    """Examples with what the featurizers meet in a training: Chinese text, an intent,
    a response, an action name from a story, an empty text, a repeated example."""
    from rasa.shared.nlu.constants import ACTION_NAME
    from rasa.shared.nlu.training_data.message import Message

    texts = [("在吗 亲", "greet"), ("这个 牛仔裤 多少钱", "ask_price"), ("收到 的 耳机 是 坏的", "report_damaged"),
             ("快递 到 哪 了", "where_is_parcel"), ("我 要 退货 订单号 4201230001234567890", "request_return"),
             ("在吗 亲", "greet")]
    messages = [Message.build(text=t, intent=i) for t, i in texts]
    messages.append(Message(data={ACTION_NAME: "utter_greet"}))
    messages.append(Message(data={"text": "", "intent": "greet"}))
    messages.append(Message(data={"response": "亲，您好", "text": "你好 呀", "intent": "greet"}))
    return messages


def _featurizers(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
    from rasa.shared.nlu.training_data.training_data import TrainingData

    storage, context = LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "test")
    tokenizer = JiebaTokenizer.create({**JiebaTokenizer.get_default_config()}, storage, Resource("jieba"), context)
    data = TrainingData(_messages())
    tokenizer.process_training_data(data)
    featurizers = []
    for n, config in enumerate(({"analyzer": "word"}, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3})):
        featurizer = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config(), **config},
                                                   storage, Resource(f"cvf{n}"), context)
        featurizer.train(data)
        featurizers.append(featurizer)
    return tokenizer, featurizers


def _features(messages):
    found = []
    for message in messages:
        for f in message.features:
            found.append((f.type, f.attribute, f.origin, f.features.format, f.features.dtype, f.features.shape,
                          f.features.toarray().tolist()))
    return found


def test_features_counted_together_are_the_features_rasa_counts(monkeypatch, tmp_path):
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer

    _rasa_s_own(monkeypatch, CountVectorsFeaturizer, "process")
    # What the patch replaces: Rasa featurizes one message at a time.
    assert "self._create_features(\n                    attribute, [message_tokens]" in inspect.getsource(
        CountVectorsFeaturizer.process)
    tokenizer, featurizers = _featurizers(tmp_path)

    def featurized():
        messages = _messages()
        tokenizer.process(messages)
        for featurizer in featurizers:
            featurizer.process(messages)
        return messages

    as_rasa = _features(featurized())
    rasa_patches.count_messages_together()
    assert CountVectorsFeaturizer.process.rasa_original is not None
    together = featurized()
    assert _features(together) == as_rasa
    assert len(as_rasa) > 2 * len(together)  # sequence and sentence features of several attributes
    # The matrices filled in without scipy's constructor are the ones it would build.
    for matrix in (f.features for m in together for f in m.features):
        built = scipy.sparse.coo_matrix((matrix.data, (matrix.row, matrix.col)), shape=matrix.shape)
        assert vars(matrix).keys() == vars(built).keys()
        for name, value in vars(built).items():
            if isinstance(value, np.ndarray):
                assert value.dtype == vars(matrix)[name].dtype and (value == vars(matrix)[name]).all()
            else:
                assert value == vars(matrix)[name]
        matrix._check()
    # Each message owns its rows: changing one message's counts changes no other message.
    first = together[0].features[0].features
    first.data[:] = 99
    assert all((f.features.data != 99).all() for m in together[1:] for f in m.features)


def test_training_data_merged_without_deep_copies_equals_rasa_s(monkeypatch):
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from rasa.shared.utils.io import deep_container_fingerprint

    _rasa_s_own(monkeypatch, TrainingData, "merge")
    _rasa_s_own(monkeypatch, TrainingData, "sanitize_examples")
    # What the patch replaces: Rasa deep-copies every example at each merge and sets
    # each intent again, which drops the fingerprint the de-duplication then needs.
    assert "copy.deepcopy(self.training_examples)" in inspect.getsource(TrainingData.merge)
    assert "ex.set(INTENT, ex.get(INTENT).strip())" in inspect.getsource(TrainingData.sanitize_examples)

    def data():
        examples = _messages() + [Message.build(text="退货", intent=" request_return "),
                                  Message(data={"response": " 亲，您好 ", "text": "你好 呀", "intent": "greet"})]
        first = TrainingData(examples[:5], entity_synonyms={"牛仔": "牛仔裤"},
                             regex_features=[{"name": "order", "pattern": r"\d{19}"}],
                             lookup_tables=[{"name": "colour", "elements": ["红", "蓝"]}],
                             responses={"utter_a": [{"text": "亲"}]})
        second = TrainingData(examples[3:], entity_synonyms={"耳麦": "耳机"}, responses={"utter_b": [{"text": "好"}]})
        return first, second

    def summary(merged):
        return ([m.fingerprint() for m in merged.training_examples], [m.as_dict() for m in merged.training_examples],
                [len(m.features) for m in merged.training_examples],
                merged.entity_synonyms, merged.regex_features, merged.lookup_tables, merged.responses)

    first, second = data()
    as_rasa = summary(TrainingData().merge(first, None, second))
    rasa_patches.merge_training_data_without_deep_copies()
    first, second = data()
    merged = TrainingData().merge(first, None, second)
    assert summary(merged) == as_rasa
    # The kept fingerprints are the examples' own.
    assert all(m.fingerprint() == deep_container_fingerprint([m.data, m.features]) for m in merged.training_examples)
    # Changing a merged example (components set properties and add features) leaves the merged data alone.
    before = summary(first)
    for message in merged.training_examples:
        message.set("intent", "changed")
        message.add_features(None)
        message.features.append("feature")
    merged.lookup_tables[0]["elements"].append("绿")
    assert summary(first) == before


def test_the_grader_trains_the_model_rasa_train_trains(trained_project, tmp_path):
    """Every training patch together (rasa_patches.for_grading, the grading worker's
    training) against `rasa train` (bot.training) on the reference: the same files in
    the model but for when and how it was made (metadata.json)."""
    import io
    import json
    import tarfile

    import numpy as np

    from bot.grading.pool import worker_environment
    from bot.project import REFERENCE_ROOT

    code = ("import sys; from pathlib import Path; from bot import rasa_patches; from bot.grading import worker\n"
            "rasa_patches.for_grading(); worker.quiet_rasa(); worker.reset_jieba()\n"
            "project = worker.GradedProject(root=Path(sys.argv[1]), scratch=Path(sys.argv[2]),\n"
            "                               store=Path(sys.argv[3]))\n"
            "print(worker.train_here(project, lambda message: None)[0])")
    out = subprocess.run([sys.executable, "-c", code, str(trained_project.root), str(tmp_path / "scratch"),
                          str(tmp_path / "store")], cwd=REFERENCE_ROOT, env=worker_environment(),
                         capture_output=True, text=True, encoding="utf-8", timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]

    def files(model):
        with tarfile.open(model) as archive:
            return {m.name.lstrip("/"): archive.extractfile(m).read() for m in archive.getmembers()
                    if m.isfile() and not m.name.endswith("metadata.json")}

    graded, plain = files(out.stdout.strip().splitlines()[-1]), files(trained_project.model_path())
    assert sorted(graded) == sorted(plain) and any(n.endswith(".npz") for n in plain)
    for name, content in plain.items():
        if name.endswith(".npz"):
            ours, theirs = np.load(io.BytesIO(graded[name])), np.load(io.BytesIO(content))
            assert sorted(ours.files) == sorted(theirs.files)
            assert all(np.array_equal(ours[k], theirs[k]) for k in theirs.files), name
        elif name.endswith("rule_policy.json"):
            # Rasa lists the rules not in stories from a set: their order changes from process to process.
            ours, theirs = json.loads(graded[name]), json.loads(content)
            for policy in (ours, theirs):
                policy["lookup"]["rules_not_in_stories"].sort()
            assert ours == theirs
        else:
            assert graded[name] == content, name


def test_a_graph_walked_predicts_what_dask_runs(monkeypatch, trained_project):
    """The trained reference's NLU and its policies, on the same messages and
    conversations, by dask (Rasa's way) and by the walk: the same outputs."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    _rasa_s_own(monkeypatch, DaskGraphRunner, "run")
    assert "dask.get(run_graph, run_targets)" in inspect.getsource(DaskGraphRunner.run)
    processor = Agent.load(str(trained_project.model_path())).processor
    nlu, core = processor.model_metadata.nlu_target, processor.model_metadata.core_target
    texts = ["在吗", "我要退货 订单号4201230001234567890", "快递三天了还没到", "耳机有杂音", "牛仔裤多少钱",
             "我165 100斤穿什么码", "叫你们老板来", "今天天气真好"]

    def outputs():
        found = []
        for text in texts:
            message = processor.graph_runner.run(
                inputs={PLACEHOLDER_MESSAGE: [UserMessage(text=text, sender_id="walk")],
                        PLACEHOLDER_TRACKER: DialogueStateTracker.from_events("walk", [])},
                targets=[nlu])[nlu][0]
            parsed = message.as_dict(only_output_properties=True)
            tracker = DialogueStateTracker.from_events("walk", [
                ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                UserUttered(text, parsed["intent"], parsed["entities"], parse_data=parsed)], processor.domain.slots)
            prediction = processor.graph_runner.run(inputs={PLACEHOLDER_TRACKER: tracker}, targets=[core])[core]
            found.append((parsed, vars(prediction)))
        return found

    by_dask = outputs()
    rasa_patches.run_graphs_by_walking_them()
    assert DaskGraphRunner.run.rasa_original is not None
    walked = outputs()
    assert walked == by_dask
    assert len({p["intent"]["name"] for p, _ in walked}) >= 6  # varied messages, not one answer


def test_a_slot_copied_by_its_attributes_is_the_copy_python_makes(monkeypatch):
    import copy

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.slots import Slot

    from bot.project import REFERENCE_ROOT

    monkeypatch.delattr(Slot, "__copy__", raising=False)
    slots = Domain.load(str(REFERENCE_ROOT / "domain.yml")).slots
    kinds = {type(s) for s in slots}
    assert len(kinds) >= 3  # text, float and any slots in the reference
    for kind in kinds | set(all_subclasses(Slot)):
        # What copy.copy relies on without __copy__: the instance dict is the whole state.
        assert not any(vars(c).get("__slots__") for c in kind.__mro__) and not hasattr(kind, "__getstate__")
        assert not hasattr(kind, "__setstate__") and kind.__reduce_ex__ is object.__reduce_ex__
    for slot in slots:
        slot.value = slot.initial_value
    by_python = [copy.copy(s) for s in slots]
    rasa_patches.copy_slots_by_their_attributes()
    ours = [copy.copy(s) for s in slots]
    for slot, python, copied in zip(slots, by_python, ours):
        assert type(copied) is type(python) and vars(copied) == vars(python) and copied is not slot
        assert all(vars(copied)[k] is v for k, v in vars(slot).items())  # shallow, as copy.copy
    ours[0].value = "changed"
    assert slots[0].value != "changed"


def _words(exc):
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - Rasa's YamlValidationException cannot always say itself
        return repr([getattr(e, "msg", e) for e in getattr(exc, "validation_errors", None) or exc.args])


def test_schemas_checked_on_the_fast_reading_pass_and_fail_as_rasa_s(monkeypatch, tmp_path):
    import rasa.shared.utils.io as rasa_io
    import rasa.shared.utils.validation as validation
    from rasa.shared.core.domain import DOMAIN_SCHEMA_FILE
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import CORE_SCHEMA_FILE
    from rasa.shared.nlu.training_data.formats.rasa_yaml import NLU_SCHEMA_FILE

    from test_yamlfile import _texts

    _rasa_s_own(monkeypatch, validation, "validate_yaml_schema")
    _rasa_s_own(monkeypatch, rasa_io, "read_yaml")
    # What the patch relies on: Rasa reads the file for the check through read_yaml, round trip.
    assert 'read_yaml(\n            yaml_file_content, reader_type=["safe", "rt"]' in inspect.getsource(
        validation.validate_yaml_schema)
    texts = [text for _, text in _texts(tmp_path) if len(text) < 200_000]  # the huge files: minutes

    def outcomes():
        found = []
        for text in texts:
            for schema in (NLU_SCHEMA_FILE, CORE_SCHEMA_FILE, DOMAIN_SCHEMA_FILE):
                try:
                    validation.validate_yaml_schema(text, schema)
                    found.append("ok")
                except Exception as exc:  # noqa: BLE001 - compared both ways
                    found.append(f"{type(exc).__name__}: {_words(exc)}")
        return found

    by_rasa = outcomes()
    rasa_patches.check_schemas_on_the_fast_reading()
    assert validation.validate_yaml_schema.rasa_original is not None
    assert outcomes() == by_rasa
    assert by_rasa.count("ok") > 300 and len(set(by_rasa)) > 20  # many pass, many fail in many ways

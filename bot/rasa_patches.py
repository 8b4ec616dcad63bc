"""Every change this project makes to Rasa 3.6's own code, in one place, with its reason.

Each patch is idempotent and checked by tests/test_rasa_patches.py, which fails when the
Rasa code a patch replaces or relies on changes (a Rasa upgrade must revisit it).

Order matters twice:
- `without_tensorflow` must run before Rasa is imported (the chat shell runs it before
  it loads the model);
- `trust_reference_actions` wraps the check that `check_action_results_once` installs
  and falls back to it, so it runs after that one (the grader calls it per project,
  after `for_grading`).

Not a patch: Rasa writes LOG_LEVEL into os.environ when a process loads a model
(set_log_level); a subprocess that needs Rasa's warnings sets it again through
processes.python_environment (checks/rasa_validate.py).
"""
from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import tarfile
import types
from pathlib import Path
from typing import Any, Dict, List

from bot import yamlfile
from bot.project import REFERENCE_ROOT

# Rasa modules that import TensorFlow as they are imported. The first five are imported
# by every chat (through rasa.core.agent and the model's validator node) although only
# their training code or their components use TensorFlow; the last three hold
# components that use it. Found by blocking TensorFlow in a piped `dxm shell`
# (tests/test_rasa_patches.py keeps the list true).
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
        if name in TENSORFLOW_MODULES:
            return importlib.machinery.ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        return _Placeholders(spec.name)

    def exec_module(self, module) -> None:
        """Nothing to run: the names appear when asked for (`_Placeholders`)."""


class _Placeholders(types.ModuleType):
    """A module whose every public name is a class that cannot be used.

    Rasa imports these classes only to compare other classes with them (isinstance,
    issubclass): no object of a placeholder class exists, so every answer stays right.
    """

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
    for path in classes:
        module = path.rpartition(".")[0]
        if module.startswith("rasa."):
            if module in TENSORFLOW_MODULES:
                return True
            continue
        spec = importlib.util.find_spec(module) if module.startswith("components.") else None
        if spec is None or REFERENCE_ROOT / "components" not in Path(spec.origin or "").parents:
            return True
    return False


def without_tensorflow(model: Path) -> bool:
    """Keep TensorFlow out of a process that only chats with `model`, if no component needs it.

    `import rasa.core.agent` imports TensorFlow for two training callbacks (through
    rasa.utils.train_utils), loading any model imports the DIET, ResponseSelector and
    TED modules (the validator node of its training graph refers to them), and spaCy's
    thinc imports TensorFlow whenever it is installed: 2.3 of the 3.9 s of importing
    rasa.core.agent on this machine (python -X importtime), and the first answer of a
    piped `dxm shell` came after ≈ 8 s. With this, those modules are placeholders and
    `import tensorflow` fails the way it does where TensorFlow is not installed, which
    thinc handles. Only for processes that never train afterwards (training needs the
    real modules) and only before Rasa is imported. Returns whether it was installed.
    """
    if "tensorflow" in sys.modules or any(isinstance(f, _WithoutTensorFlow) for f in sys.meta_path):
        return False
    if any(name in sys.modules for name in TENSORFLOW_MODULES):
        return False
    try:
        classes = model_classes(model)
    except (OSError, tarfile.TarError, ValueError, KeyError):
        return False  # not a model Rasa can load either: Rasa says why
    if needs_tensorflow(classes):
        return False
    sys.meta_path.insert(0, _WithoutTensorFlow())
    return True


def check_action_results_once() -> None:
    """Make Rasa check the action server's answers without re-checking the schema.

    Rasa 3.6 calls `jsonschema.validate(result, schema)` for every custom action
    call, and jsonschema 4 re-validates the (large, constant) schema itself each
    time: about 0.35 s per action on this machine, most of a reply's latency
    (profiled with cProfile, see bench/bot_speed.py). Building the validator once
    checks exactly the same thing.
    """
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction, "_schema_validator", None) is not None:
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    RemoteAction._schema_validator = validator_class(schema)

    def validate(self, result: Dict[str, Any]) -> bool:
        try:
            self._schema_validator.validate(result)
        except ValidationError as error:
            error.message += ". 动作服务器返回的数据格式不对，请检查 actions/ 里的自定义动作。"
            raise
        return True

    validate.rasa_original = RemoteAction._validate_action_result
    RemoteAction._validate_action_result = validate


def resolve_event_types_once() -> None:
    """Make Rasa find each event's class by its name once, not once per event.

    Reading a conversation back from the tracker store, Rasa 3.6 finds every event's
    class by walking all subclasses of Event (calling inspect.isabstract on each):
    about a quarter of a reply's time, twice per message (profiled with cProfile on
    tests/chat_corpus.py). The event classes never change once imported, so a name
    found once is remembered; unknown names still go the original way.
    """
    from rasa.shared.core.events import Event

    if getattr(Event, "_known_types", None) is not None:
        return
    original = Event.resolve_by_type
    Event._known_types = known = {}

    def resolve_by_type(type_name, default=None):
        found = known.get(type_name)
        if found is None:
            found = original(type_name, default)
            if found is not None and found.type_name == type_name:
                known[type_name] = found
        return found

    resolve_by_type.rasa_original = original
    Event.resolve_by_type = staticmethod(resolve_by_type)


def trust_reference_actions() -> None:
    """Check the reference actions' replies by their shape only.

    The full JSON-schema check costs ~10 ms per custom action call, hundreds per
    graded project. The reference actions are tested code: a reply shaped like a reply
    is accepted, anything else still goes through the full check. Never with
    --allow-student-code. Runs after `check_action_results_once`, which it falls back to.
    """
    from rasa.core.actions.action import RemoteAction

    full_check = RemoteAction._validate_action_result
    if getattr(full_check, "trusts_shape", False):
        return

    def validate(self: RemoteAction, result: Any) -> bool:
        if (isinstance(result, dict)
                and isinstance(result.get("events") or [], list)
                and all(isinstance(e, dict) and isinstance(e.get("event"), str)
                        for e in result.get("events") or [])
                and isinstance(result.get("responses") or [], list)
                and all(isinstance(r, dict) for r in result.get("responses") or [])):
            return True
        return full_check(self, result)

    validate.trusts_shape = True
    validate.rasa_original = getattr(full_check, "rasa_original", full_check)
    RemoteAction._validate_action_result = validate


def skip_training_cache() -> None:
    """Switch off Rasa's per-component training cache, and the work that feeds it.

    The grader caches whole models by the fingerprint of their inputs instead
    (GradedProject.model_path). Rasa's cache could not tell two students apart: the
    shop components read shop/ files its fingerprints do not cover. With the cache
    off, its fingerprint run (skipped by force_training) and TrainingHook's
    fingerprints of every node's inputs and outputs (~7 of ~22 s of a training)
    are pure overhead: the hook only serves the cache.
    """
    from rasa.engine.caching import CACHE_SIZE_ENV
    from rasa.engine.training.hooks import TrainingHook

    os.environ[CACHE_SIZE_ENV] = "0"
    TrainingHook.on_before_node = lambda self, *args, **kwargs: {}
    TrainingHook.on_after_node = lambda self, *args, **kwargs: None


def read_nlu_data_once() -> None:
    """Make a training read and merge the NLU files once instead of three times.

    Rasa 3.6 caches each importer's get_nlu_data by its arguments, and asks three ways
    for the same data: get_nlu_data() (model_training.train and ResponsesSyncImporter
    .get_domain), get_nlu_data("en") (passed down the importer chain) and
    get_nlu_data(language="zh") (the graph's NLU data provider). The language is read
    by no reader (the YAML reader ignores it), so the three results are equal, yet
    each is read, merged (a deep copy per merge) and de-duplicated again: 3 file reads
    and 14 merges, ~10 of ~40 s of CPU for the reference's 9,742 examples. With one
    cache key per importer: 1 read and 5 merges.
    """
    from rasa.shared.importers.importer import (CombinedDataImporter, E2EImporter,
                                                ResponsesSyncImporter)

    def one_key(original):
        def get_nlu_data(self, language="en"):
            return original(self)

        get_nlu_data.rasa_original = original
        return get_nlu_data

    for importer in (CombinedDataImporter, ResponsesSyncImporter, E2EImporter):
        if getattr(importer.get_nlu_data, "rasa_original", None) is None:
            importer.get_nlu_data = one_key(importer.get_nlu_data)


def merge_training_data_without_deep_copies() -> None:
    """Make TrainingData.merge copy each example's containers, not all its contents.

    A training merges the NLU data five times (the importer chain, after
    read_nlu_data_once), and each merge deep-copies every example, then
    de-duplicates them by fingerprint, which it computes anew: sanitize_examples
    sets each intent again (stripped) even when nothing changes, and setting a
    property drops the cached fingerprint. 1.8 of 17 s of the reference's training.
    Here a merged example is a new Message with its own data dict, output properties
    and feature list (what the components change in place), sharing the values, and
    a property is set again only when stripping changes it: 1.8 -> 0.3 s.
    tests/test_rasa_patches.py checks the merged data against Rasa's.
    """
    import copy
    from collections import OrderedDict

    from rasa.shared.nlu.constants import INTENT, RESPONSE
    from rasa.shared.nlu.training_data import util
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    if getattr(TrainingData.merge, "rasa_original", None) is not None:
        return

    def copied(messages: List[Any]) -> List[Any]:
        found = []
        for m in messages:
            message = Message(data=m.data, output_properties=set(m.output_properties), time=m.time,
                              features=list(m.features))
            message._cached_fingerprint = m._cached_fingerprint  # the same data and features
            found.append(message)
        return found

    def merge(self, *others):  # type: ignore[no-untyped-def]
        examples = copied(self.training_examples)
        synonyms = self.entity_synonyms.copy()
        regex_features = copy.deepcopy(self.regex_features)
        lookup_tables = copy.deepcopy(self.lookup_tables)
        responses = copy.deepcopy(self.responses)
        for other in others:
            if not other:
                continue
            examples.extend(copied(other.training_examples))
            regex_features.extend(copy.deepcopy(other.regex_features))
            lookup_tables.extend(copy.deepcopy(other.lookup_tables))
            for text, synonym in other.entity_synonyms.items():
                util.check_duplicate_synonym(synonyms, text, synonym, "merging training data")
            synonyms.update(other.entity_synonyms)
            responses.update(other.responses)
        return TrainingData(examples, synonyms, regex_features, lookup_tables, responses)

    def sanitize_examples(examples):  # type: ignore[no-untyped-def]
        for example in examples:
            for name in (INTENT, RESPONSE):
                value = example.get(name)
                if value and value.strip() != value:
                    example.set(name, value.strip())
        return list(OrderedDict.fromkeys(examples))

    merge.rasa_original = TrainingData.merge
    sanitize_examples.rasa_original = TrainingData.sanitize_examples
    TrainingData.merge = merge
    TrainingData.sanitize_examples = staticmethod(sanitize_examples)


def count_messages_together() -> None:
    """Make CountVectorsFeaturizer count all messages' tokens in one call per attribute.

    Rasa calls scikit-learn's transform twice per message and attribute (the tokens,
    then the joined sentence) and converts each result: 48,845 calls for the
    reference's 9,742 examples and its two featurizers, 5.5 of its 21 s of training
    CPU, nearly all of it per-call overhead. A count vectoriser counts each document
    apart, so one transform of every message's tokens (and one of every sentence),
    cut into one block of rows per message, holds the same features: 5.5 -> 3.0 s,
    the rest being the analysis itself and a sparse matrix per message (CPU of the
    two featurizer nodes; tests/test_rasa_patches.py checks the features are equal).
    The bank questions, parsed together (grading/worker.py parse_all), go the same way.
    """
    import numpy as np
    import scipy.sparse
    from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer

    original = getattr(CountVectorsFeaturizer.process, "rasa_original", CountVectorsFeaturizer.process)

    def blocks(documents: List[List[str]], vectorizer: Any) -> List[Any]:
        """One COO matrix per list of documents: rows = its documents, as transform gives.

        The matrices are filled in, not constructed: scipy's constructor checks the
        indices of each one (21 us against 0.5 us, 52,000 matrices per graded
        project, about 1 s of CPU). They come from one checked CSR matrix cut at its
        row pointers, so they hold what the constructor would build (the test
        compares every attribute and runs scipy's own check on each)."""
        counts = vectorizer.transform([d for group in documents for d in group])
        counts.sort_indices()
        counts.check_format(full_check=True)
        width, pointers, found = counts.shape[1], counts.indptr, []
        empty = vars(scipy.sparse.coo_matrix(([], ([], [])), shape=(1, width), dtype=counts.dtype))
        columns = counts.indices.astype(empty["col"].dtype, copy=False)  # scipy's index type
        start = 0
        for group in documents:
            end = start + len(group)
            lo, hi = pointers[start], pointers[end]
            block = scipy.sparse.coo_matrix.__new__(scipy.sparse.coo_matrix)
            block.__dict__.update(
                empty, _shape=(end - start, width), data=counts.data[lo:hi], col=columns[lo:hi],
                row=np.repeat(np.arange(end - start, dtype=columns.dtype), np.diff(pointers[start:end + 1])))
            found.append(block)
            start = end
        return found

    @functools.wraps(original)  # Rasa's graph checks the method's signature and types
    def process(self, messages):  # type: ignore[no-untyped-def]
        if self.vectorizers is None:
            return original(self, messages)  # Rasa logs the missing model
        for attribute in self._attributes:
            tokens = [self._get_processed_message_tokens_by_attribute(m, attribute) for m in messages]
            sequence: List[Any] = [None] * len(messages)
            sentence: List[Any] = [None] * len(messages)
            vectorizer = self.vectorizers.get(attribute)
            present = [i for i, t in enumerate(tokens) if t]
            if vectorizer and present:
                for i, block in zip(present, blocks([tokens[i] for i in present], vectorizer)):
                    sequence[i] = block
                if attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
                    joined = blocks([[" ".join(tokens[i])] for i in present], vectorizer)
                    for i, block in zip(present, joined):
                        sentence[i] = block
            for message, seq, sent in zip(messages, sequence, sentence):
                self.add_features_to_message(seq, sent, attribute, message)
        return messages

    process.rasa_original = original
    CountVectorsFeaturizer.process = process


def run_graphs_by_walking_them() -> None:
    """Run a model's graph with a walk of the nodes it needs instead of `dask.get`.

    Rasa runs the prediction graph once per predicted action (~1,800 times for the
    bank of one graded project), and each time builds a dask graph and hands it to
    dask's synchronous scheduler, whose ordering and bookkeeping cost 0.25 ms a run,
    ~0.6 s of CPU per graded project (cProfile of the questions: 5.6 s in the runner,
    4.3 s in the nodes). The walk calls every needed node once, after the nodes it
    needs, with what dask would pass it: each need's output, an input as its
    (name, value) pair, an unknown name as itself. Errors come out as dask lets them
    (a node's own exception; a RuntimeError as Rasa's GraphRunError). Nodes on
    separate branches may run in another order than dask's, which no node of Rasa's
    or ours depends on (tests/test_rasa_patches.py compares a trained model's
    predictions and the trained model files both ways).
    """
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    original = getattr(DaskGraphRunner.run, "rasa_original", DaskGraphRunner.run)

    @functools.wraps(original)
    def run(self, inputs=None, targets=None):  # type: ignore[no-untyped-def]
        run_targets = targets if targets else self._graph_schema.target_names
        nodes = self._graph_schema.nodes
        values: Dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in nodes:
                return original(self, inputs, targets)  # Rasa's error for the clash
            values[name] = (name, value)

        def output(name: str) -> Any:
            if name not in values:
                if name not in nodes:
                    return name
                values[name] = self._instantiated_nodes[name](*[output(n) for n in nodes[name].needs.values()])
            return values[name]

        try:
            return dict(output(target) for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    run.rasa_original = original
    DaskGraphRunner.run = run


def check_schemas_on_the_fast_reading() -> None:
    """Check a YAML file against Rasa's schema on ruamel's safe reading (C), and read
    it the round-trip way (pure Python) only to word a file that fails.

    Rasa's validate_yaml_schema reads each training file and the domain with ruamel's
    round-trip reader, for the line numbers of a YamlValidationException: 0.35 s of CPU
    for the reference's files, where the safe reader takes 0.03 s. The safe reading
    holds the same values as plain dicts, lists and scalars, and pykwalify checks them
    the same way; when the check or the reading fails, Rasa's function runs again as it
    is and raises what it raises, with its lines. So does a text nested past
    yamlfile.MAX_DEPTH, which the safe reader reads and the round-trip one cannot. tests/test_rasa_patches.py checks
    every YAML file here and in the check corpus's broken projects against every schema
    both ways: the same files pass, the same errors come out.
    """
    import contextvars

    import rasa.shared.utils.io as rasa_io
    import rasa.shared.utils.validation as validation

    if getattr(validation.validate_yaml_schema, "rasa_original", None) is not None:
        return
    original_validate, original_read = validation.validate_yaml_schema, rasa_io.read_yaml
    fast = contextvars.ContextVar("dxm_fast_schema_reading", default=False)

    @functools.wraps(original_read)
    def read_yaml(content, reader_type="safe"):  # type: ignore[no-untyped-def]
        return original_read(content, "safe" if fast.get() and reader_type == ["safe", "rt"] else reader_type)

    @functools.wraps(original_validate)
    def validate_yaml_schema(*args, **kwargs):  # type: ignore[no-untyped-def]
        text = args[0] if args else kwargs.get("yaml_file_content")
        if not (isinstance(text, str) and yamlfile.libyaml_reads(text)):
            # nested deeper than the round-trip reader can go: Rasa's RecursionError
            return original_validate(*args, **kwargs)
        token = fast.set(True)
        try:
            return original_validate(*args, **kwargs)
        except Exception:  # noqa: BLE001 - Rasa's own run below words it
            pass
        finally:
            fast.reset(token)
        return original_validate(*args, **kwargs)

    read_yaml.rasa_original, validate_yaml_schema.rasa_original = original_read, original_validate
    rasa_io.read_yaml, validation.validate_yaml_schema = read_yaml, validate_yaml_schema


def copy_slots_by_their_attributes() -> None:
    """Give Rasa's Slot a __copy__ that copies its attribute dict.

    Every tracker Rasa builds copies each of the domain's slots (DialogueStateTracker
    .__init__: copy.copy(slot)), and the policies build trackers for every prediction:
    296,000 slot copies while one project's bank is asked. copy.copy of a plain object
    goes through __reduce_ex__ and copyreg.__newobj__ to make a new object of the same
    class and update its __dict__ with the old one; __copy__ does just that, in a
    quarter of the time. Slot and its subclasses define no __slots__, __getstate__ or
    __setstate__ (the test checks it, and compares the copies of every slot type).
    """
    from rasa.shared.core.slots import Slot

    if "__copy__" in vars(Slot):
        return

    def __copy__(self):  # type: ignore[no-untyped-def]
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone

    Slot.__copy__ = __copy__


def for_conversations() -> None:
    """The patches of every process that loads a model and chats (shell, serve, grader)."""
    check_action_results_once()
    resolve_event_types_once()


def for_grading() -> None:
    """The grading worker's patches (it trusts the reference actions per project)."""
    for_conversations()
    skip_training_cache()
    read_nlu_data_once()
    merge_training_data_without_deep_copies()
    count_messages_together()
    run_graphs_by_walking_them()
    copy_slots_by_their_attributes()
    check_schemas_on_the_fast_reading()

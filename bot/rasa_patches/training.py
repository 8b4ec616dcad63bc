"""Patches of the code Rasa runs while it trains (the grading worker's training)."""
from __future__ import annotations

import functools
import itertools
import os
from typing import Any, List

from bot import yamlfile

def skip_training_cache() -> None:
    """Switch off Rasa's per-component training cache, and the work that feeds it.

    The grader caches whole models by the fingerprint of their inputs instead
    (GradedProject.model_path): Rasa's cache could not tell two students apart, as the shop
    components read shop/ files its fingerprints do not cover. Its fingerprint run (skipped
    by force_training) and TrainingHook's fingerprints of every node's inputs and outputs
    (~7 of ~22 s of a training) then only serve a cache that is off.
    """
    from rasa.engine.caching import CACHE_SIZE_ENV
    from rasa.engine.training.hooks import TrainingHook

    os.environ[CACHE_SIZE_ENV] = "0"
    TrainingHook.on_before_node = lambda self, *args, **kwargs: {}
    TrainingHook.on_after_node = lambda self, *args, **kwargs: None


def read_nlu_data_once() -> None:
    """Make a training read and merge the NLU files once instead of three times.

    Rasa 3.6 caches each importer's get_nlu_data by its arguments, and asks for the same data
    as get_nlu_data() (model_training.train, ResponsesSyncImporter.get_domain),
    get_nlu_data("en") (down the importer chain) and get_nlu_data(language="zh") (the graph's
    NLU data provider). No reader reads the language, yet each is read, merged (a deep copy
    per merge) and de-duplicated again: 3 file reads and 14 merges, ~10 of ~40 s of CPU for
    the reference's 9,742 examples. With one cache key per importer: 1 read and 5 merges.
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

    A training merges the NLU data five times (the importer chain, after read_nlu_data_once),
    and each merge deep-copies every example, then de-duplicates them by a fingerprint
    computed anew (sanitize_examples sets each intent again, stripped, which drops the
    cached fingerprint): 1.8 of 17 s of the reference's training. Here a merged example is
    a new Message with its own data dict, output properties and feature list (what the
    components change in place), sharing the values, and a property is set again only when
    stripping changes it: 1.8 -> 0.3 s. tests/test_rasa_patches.py checks the merged data.
    """
    import copy

    from rasa.shared.nlu.constants import INTENT, RESPONSE
    from rasa.shared.nlu.training_data import util
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    if getattr(TrainingData.merge, "rasa_original", None) is not None:
        return

    def copied(m: Message) -> Message:
        message = Message(data=m.data, output_properties=set(m.output_properties), time=m.time,
                          features=list(m.features))
        message._cached_fingerprint = m._cached_fingerprint  # the same data and features
        return message

    def merge(self, *others):  # type: ignore[no-untyped-def]
        examples = [copied(m) for m in self.training_examples]
        synonyms = self.entity_synonyms.copy()
        regex_features = copy.deepcopy(self.regex_features)
        lookup_tables = copy.deepcopy(self.lookup_tables)
        responses = copy.deepcopy(self.responses)
        for other in filter(None, others):
            examples.extend(copied(m) for m in other.training_examples)
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
        return list(dict.fromkeys(examples))

    merge.rasa_original = TrainingData.merge
    sanitize_examples.rasa_original = TrainingData.sanitize_examples
    TrainingData.merge = merge
    TrainingData.sanitize_examples = staticmethod(sanitize_examples)


def count_messages_together() -> None:
    """Make CountVectorsFeaturizer count all messages' tokens in one call per attribute.

    Rasa calls scikit-learn's transform twice per message and attribute (the tokens, then
    the joined sentence) and converts each result: 48,845 calls for the reference's 9,742
    examples and its two featurizers, 5.5 of its 21 s of training CPU, nearly all per-call
    overhead. A count vectoriser counts each document apart, so one transform of every
    message's tokens (and one of every sentence), cut into a block of rows per message,
    holds the same features (tests/test_rasa_patches.py): 5.5 -> 3.0 s of the featurizer
    nodes' CPU, the rest being the analysis and a sparse matrix per message. The bank
    questions, parsed together (grading/worker.py parse_all), go the same way.
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
        bounds = [0, *itertools.accumulate(len(group) for group in documents)]
        for start, end in zip(bounds, bounds[1:]):
            lo, hi = pointers[start], pointers[end]
            block = scipy.sparse.coo_matrix.__new__(scipy.sparse.coo_matrix)
            block.__dict__.update(
                empty, _shape=(end - start, width), data=counts.data[lo:hi], col=columns[lo:hi],
                row=np.repeat(np.arange(end - start, dtype=columns.dtype), np.diff(pointers[start:end + 1])))
            found.append(block)
        return found

    @functools.wraps(original)  # Rasa's graph checks the method's signature and types
    def process(self, messages):  # type: ignore[no-untyped-def]
        if self.vectorizers is None:
            return original(self, messages)  # Rasa logs the missing model
        for attribute in self._attributes:
            tokens = [self._get_processed_message_tokens_by_attribute(m, attribute) for m in messages]
            vectorizer = self.vectorizers.get(attribute)
            present = [i for i, t in enumerate(tokens) if t]
            sequence, sentence = {}, {}  # message index -> its block
            if vectorizer and present:
                sequence = dict(zip(present, blocks([tokens[i] for i in present], vectorizer)))
                if attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
                    joined = [[" ".join(tokens[i])] for i in present]
                    sentence = dict(zip(present, blocks(joined, vectorizer)))
            for i, message in enumerate(messages):
                self.add_features_to_message(sequence.get(i), sentence.get(i), attribute, message)
        return messages

    process.rasa_original = original
    CountVectorsFeaturizer.process = process


def check_schemas_on_the_fast_reading() -> None:
    """Check a YAML file against Rasa's schema on ruamel's safe reading (C), and read it the
    round-trip way (pure Python) only to word a file that fails.

    Rasa's validate_yaml_schema reads each training file and the domain with ruamel's
    round-trip reader, for the line numbers of a YamlValidationException: 0.35 s of CPU for
    the reference's files, against 0.03 s for the safe reader, whose values (plain dicts,
    lists and scalars) pykwalify checks the same way. When the check or the reading fails,
    or a text is nested past yamlfile.MAX_DEPTH (only the safe reader reads it), Rasa's
    function runs as it is and raises what it raises, with its lines.
    tests/test_rasa_patches.py checks every YAML file here and in the check corpus's broken
    projects against every schema both ways: the same passes, the same errors.
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

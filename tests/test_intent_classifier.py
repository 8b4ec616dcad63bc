"""ShopIntentClassifier on features from Rasa's own tokenizer and featurizer (no stand-ins)."""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.catalog_tokenizer import FAULT_TOKEN, PRODUCT_TOKEN, CatalogJiebaTokenizer
from components.intent_classifier import ShopIntentClassifier, _sentence_features

EXAMPLES = {
    "request_refund": ["我要退款", "退款退款", "钱退给我", "不要了退钱吧"],
    "where_is_parcel": ["快递到哪了", "物流一直不动", "包裹到哪里了", "快递怎么还没到"],
}


def build(tmp_path, name, cls, config):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), name)
    return cls.create({**cls.get_default_config(), **config}, storage, Resource(name), context)


def featurised(tmp_path):
    messages = [Message.build(text=t, intent=i) for i, texts in EXAMPLES.items() for t in texts]
    data = TrainingData(messages)
    tokenizer = build(tmp_path, "tokens", CatalogJiebaTokenizer, {})
    featurizer = build(tmp_path, "chars", CountVectorsFeaturizer,
                       {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3})
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    return data, tokenizer, featurizer


def test_the_training_matrix_equals_rasas_own(tmp_path):
    data, _, _ = featurised(tmp_path)
    words = build(tmp_path, "words", CountVectorsFeaturizer, {"analyzer": "word"})
    words.train(data)
    words.process_training_data(data)
    classifier = build(tmp_path, "clf", ShopIntentClassifier, {})
    examples = data.intent_examples
    ours = _sentence_features(examples)  # None would mean Rasa's way was taken
    rasas = LogisticRegressionClassifier._create_X(classifier, examples)
    assert ours is not None and ours.shape == rasas.shape and ours.shape[1] > len(words.vectorizers["text"].vocabulary_)
    assert (ours != rasas).nnz == 0


@pytest.mark.parametrize("binary", [True, False])
def test_binary_features_count_presence_not_repetition(tmp_path, binary):
    data, _, _ = featurised(tmp_path)
    classifier = build(tmp_path, f"clf-{binary}", ShopIntentClassifier, {"binary": binary})
    X, _ = classifier._create_training_matrix(data)
    repeated = [m.get("text") for m in data.intent_examples].index("退款退款")
    if binary:
        assert set(X.data) == {1.0}
    else:
        assert X[repeated].max() > 1  # 退, 款 and 退款 repeated


def test_a_binary_model_trains_and_answers(tmp_path):
    data, tokenizer, featurizer = featurised(tmp_path)
    classifier = build(tmp_path, "clf", ShopIntentClassifier, {"binary": True})
    classifier.train(data)
    asked = [Message.build(text="我想退款"), Message.build(text="快递到哪里了啊")]
    tokenizer.process(asked)
    featurizer.process(asked)
    classifier.process(asked)
    assert [m.get("intent")["name"] for m in asked] == ["request_refund", "where_is_parcel"]


@pytest.mark.parametrize("fault_token", [True, False])
def test_a_named_fault_adds_one_fault_token_and_keeps_its_words(tmp_path, fault_token):
    tokenizer = build(tmp_path, f"tokens-{fault_token}", CatalogJiebaTokenizer, {"fault_token": fault_token})
    broken, price = Message.build(text="买的台灯不亮了还漏电"), Message.build(text="台灯多少钱")
    tokenizer.process([broken, price])
    words = [(t.text, t.lemma) for t in broken.get("text_tokens")]
    assert ("台灯", PRODUCT_TOKEN) in words
    assert ("不亮", "不亮") in words and ("漏电", "漏电") in words
    assert [t for t, _ in words].count(FAULT_TOKEN) == (1 if fault_token else 0)
    if fault_token:
        assert words[-1] == (FAULT_TOKEN, FAULT_TOKEN)
    assert FAULT_TOKEN not in [t.text for t in price.get("text_tokens")]


def test_building_the_tokenizer_again_splits_sentences_the_same(tmp_path):
    # Rasa's training builds the tokenizer twice and a served model once: each build
    # used to add the shop words' frequencies to jieba's total again.
    import jieba

    sentence = "买的台灯不亮了还漏电，能不能换一个新的"
    first = build(tmp_path, "tokens-1", CatalogJiebaTokenizer, {})
    total = jieba.dt.total
    before = [t.text for t in first.tokenize(Message.build(text=sentence), "text")]
    build(tmp_path, "tokens-2", CatalogJiebaTokenizer, {})
    assert jieba.dt.total == total
    assert [t.text for t in first.tokenize(Message.build(text=sentence), "text")] == before

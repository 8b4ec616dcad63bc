"""Jieba tokenizer that knows the shop's words.

Product names, aliases (shop/catalog.yml), kinds of goods (shop/product_kinds.txt), fault
words (shop/fault_words.txt) and shop vocabulary (shop/terms.txt) join jieba's dictionary,
so "白T" or "运费险" stay one token. Every product word gets the lemma PRODUCT_TOKEN, which
the featurizers read (CountVectorsFeaturizer's use_lemma): "吹风机坏了" and "台灯坏了" become
the same features, so a complaint about goods no example names still looks like one. A
message naming a fault (不亮, 漏水, 异响…) also gets one FAULT_TOKEN at its end. Entity
extraction reads the text, not the lemma. The word lists are stored in the model.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from components import shop_facts
from components.model_files import StoredShopData

# Strings no shopper types.
PRODUCT_TOKEN = "〈商品〉"
FAULT_TOKEN = "〈故障〉"
# Stands in for a blank message, so the featurizers still produce (empty) features
# and the classifier falls back instead of crashing on a zero-width input.
BLANK_TOKEN = "__blank__"
# Frequency high enough that jieba keeps a shop word whole instead of splitting it.
WORD_FREQUENCY = 200000


def add_words(words: List[Text]) -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.check_initialized()
    # jieba matches case-sensitively; shoppers type "白t" as often as "白T".
    for word in (w for word in words for w in dict.fromkeys((word, word.lower()))):
        # jieba.add_word adds the frequency to the dictionary's total even for a word it
        # already has, and a larger total splits every sentence differently. Rasa's
        # training builds this tokenizer twice and a served model once: training then
        # tokenized with a total of 281 million, the bot at 171 million.
        if jieba.dt.FREQ.get(word) != WORD_FREQUENCY:
            jieba.add_word(word, freq=WORD_FREQUENCY)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class CatalogJiebaTokenizer(StoredShopData, JiebaTokenizer):
    """JiebaTokenizer plus the catalog's product names and shop terms."""

    DATA_FILE = "shop_words.json"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # product_token: product words are featurized as PRODUCT_TOKEN (off: each is its own
        # feature; measured in bench/real_shoppers.py). fault_token: a message with a fault word
        # gets FAULT_TOKEN as one more token, so faults no example names look alike (the word
        # keeps its features). bench/real_shoppers.py on the dev bank (return / logistics /
        # quality · negatives misrouted): without the lexicon 89.1/93.6/93.6 · 7/160; lexicon
        # words only as jieba words 91.8/93.6/94.5 · 8/160; fault words replaced by the token
        # (like product words) 90.0/94.5/90.9 · 7/160; token added 91.8/93.6/92.7 · 6/160.
        return {**JiebaTokenizer.get_default_config(), "product_token": True, "fault_token": False}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 shop_words: Dict[Text, List[Text]]) -> None:
        super().__init__(config, model_storage, resource)
        self.words = shop_words.get("words", [])
        product_words = shop_words.get("product_words", [])
        self.product_words = {w.lower() for w in product_words}
        fault_words = shop_words.get("fault_words", [])
        self.fault_words = {w.lower() for w in fault_words}
        add_words(self.words + product_words + fault_words)

    @staticmethod
    def shop_data() -> Dict[Text, List[Text]]:
        products = set(shop_facts.product_names()) | set(shop_facts.product_kinds())
        faults = set(shop_facts.fault_words()) - products
        return {"words": sorted(set(shop_facts.shop_terms()) - products - faults),
                "product_words": sorted(products), "fault_words": sorted(faults)}

    def stored_data(self) -> Dict[Text, List[Text]]:
        return {"words": self.words, "product_words": sorted(self.product_words),
                "fault_words": sorted(self.fault_words)}

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = [t for t in super().tokenize(message, attribute) if t.text.strip()]
        for token in tokens if self._config["product_token"] else ():
            if token.text.lower() in self.product_words:
                token.lemma = PRODUCT_TOKEN
        if self._config["fault_token"] and any(t.text.lower() in self.fault_words for t in tokens):
            end = len(message.get(attribute) or "")
            tokens.append(Token(FAULT_TOKEN, end, end))
        return tokens or [Token(BLANK_TOKEN, 0)]

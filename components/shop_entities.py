"""Rule-based entity extractor for the shop.

- product: every name and alias in shop/catalog.yml, matched by a spaCy EntityRuler
  (blank Chinese pipeline, character segmentation: nothing is downloaded); the entity
  value is the product id, so "白T" and "纯棉短袖T恤" both become P01.
- order_id, height, weight, foot_length: see components/measures.py.
The patterns are stored in the model at training time.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components import shop_facts
from components.measures import find_measures
from components.model_files import ShopDataComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ShopEntityExtractor(ShopDataComponent, EntityExtractorMixin):
    """Finds products, order numbers and body measures without learning.
    `self.data`: every product name and alias -> its product id."""

    DATA_FILE = "product_patterns.json"

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 names: Dict[Text, Text]) -> None:
        super().__init__(config, model_storage, resource, names)
        self._nlp = None
        if names:  # a blank zh spaCy pipeline whose EntityRuler tags product names
            import spacy

            self._nlp = spacy.blank("zh")
            ruler = self._nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
            ruler.add_patterns([{"label": "product", "pattern": name, "id": pid}
                                for name, pid in names.items()])

    @staticmethod
    def shop_data() -> Dict[Text, Text]:
        return shop_facts.product_names()

    def extract(self, text: Text) -> List[Dict[Text, Any]]:
        found = [(f.entity, f.value, f.start, f.end) for f in find_measures(text)]
        if self._nlp is not None:
            found += [("product", span.ent_id_, span.start_char, span.end_char) for span in self._nlp(text).ents]
        return [{"entity": entity, "value": value, "start": start, "end": end, "confidence": 1.0}
                for entity, value, start, end in found]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = self.add_extractor_name(self.extract(message.get(TEXT) or ""))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

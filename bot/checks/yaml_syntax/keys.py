"""Which keys each kind of file may have, and which key a misspelt one means.

One table per place in Rasa's data, domain and config files and our shop files; the
other checks read values through `canonical_key` so a misspelt key (already reported
here) does not hide the value under it."""
from __future__ import annotations

from typing import Iterable, Optional, Sequence, Set


FILE_KINDS = {"domain.yml": "domain", "config.yml": "config", "shop/catalog.yml": "catalog",
              "shop/intents.yml": "intents", "shop/policy.yml": "policy"}
FOLDER_KINDS = {"domain/": "domain", "data/": "data"}


def file_kind(rel: str) -> str:
    folder = next((kind for prefix, kind in FOLDER_KINDS.items() if rel.startswith(prefix)), "other")
    return FILE_KINDS.get(rel, folder)


DATA_TOP = {"version", "nlu", "rules", "stories"}
NLU_ITEM = {"intent", "examples", "synonym", "regex", "lookup", "metadata"}
RULE_ITEM = {"rule", "steps", "condition", "conversation_start", "wait_for_user_input", "metadata"}
STORY_ITEM = {"story", "steps", "metadata"}
STEP_ITEM = {"intent", "action", "active_loop", "slot_was_set", "entities", "user", "bot",
             "checkpoint", "or", "metadata"}
CONDITION_ITEM = {"active_loop", "slot_was_set"}
DOMAIN_TOP = {"version", "session_config", "intents", "entities", "slots", "forms",
              "actions", "responses", "e2e_actions"}
SESSION_CONFIG = {"session_expiration_time", "carry_over_slots_to_new_session"}
RESPONSE_VARIANT = {"text", "image", "buttons", "custom", "condition", "channel",
                    "quick_replies", "attachment", "elements", "metadata", "id"}
SLOT_FIELDS = {"type", "influence_conversation", "mappings", "initial_value", "values",
               "min_value", "max_value"}
SLOT_MAPPING = {"type", "entity", "intent", "not_intent", "role", "group", "value",
                "conditions", "action"}
MAPPING_CONDITION = {"active_loop", "requested_slot"}
FORM_FIELDS = {"required_slots", "ignored_intents"}
CONFIG_TOP = {"recipe", "language", "pipeline", "policies", "assistant_id"}
CATALOG_TOP = {"products"}
PRODUCT_FIELDS = {"id", "name", "aliases", "kind", "price", "spec", "colors", "stock",
                  "sizes", "size_chart", "material", "care", "quality", "description",
                  "return_excluded", "return_note"}
INTENTS_TOP = {"categories", "modules", "intents"}
INTENT_ENTRY_KEYS = {"category", "module", "standard"}
CATEGORY_KEYS = {"label", "definition", "examples", "fallback_intent"}


# The keys allowed at the top of each kind of file, then under a given parent key, then
# (domain only) two levels under a key whose children are names chosen by the author.
TOP_KEYS = {"data": DATA_TOP, "domain": DOMAIN_TOP, "config": CONFIG_TOP, "catalog": CATALOG_TOP,
            "intents": INTENTS_TOP}
KEYS_UNDER = {
    "data": {"nlu": NLU_ITEM, "rules": RULE_ITEM, "stories": STORY_ITEM, "steps": STEP_ITEM,
             "condition": CONDITION_ITEM, "or": STEP_ITEM},
    "domain": {"session_config": SESSION_CONFIG, "mappings": SLOT_MAPPING,
               "conditions": MAPPING_CONDITION},
    "catalog": {"products": PRODUCT_FIELDS},
}
DOMAIN_KEYS_UNDER_NAMES = {"responses": RESPONSE_VARIANT, "slots": SLOT_FIELDS, "forms": FORM_FIELDS}


def allowed_keys(kind: str, chain: Sequence[str]) -> Optional[Set[str]]:
    """The keys YAML may have at this place (`chain` = canonical ancestor keys), or
    None where the keys are names chosen by the author (slots, responses, entities...)."""
    if not chain:
        return TOP_KEYS.get(kind)
    grand = chain[-2] if len(chain) >= 2 else None
    if kind == "domain" and chain[-1] != "session_config" and grand in DOMAIN_KEYS_UNDER_NAMES:
        return DOMAIN_KEYS_UNDER_NAMES[grand]
    return KEYS_UNDER.get(kind, {}).get(chain[-1])


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    d = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def closest_key(key: str, allowed: Set[str]) -> Optional[str]:
    """The allowed key `key` is most likely a misspelling of, if any."""
    low = key.lower().strip()
    if low in allowed:
        return low
    # up to 1 typo in a short key, 2 in a longer one; ties go to the first in sorted order
    near = [(distance, c) for c in allowed if (distance := edit_distance(low, c)) <= (1 if len(c) <= 4 else 2)]
    return min(near)[1] if near else None


def canonical_key(key: str, allowed: Iterable[str]) -> str:
    """`key` itself when allowed, else the allowed key it misspells, else `key`."""
    allowed = set(allowed)
    return key if key in allowed else closest_key(key, allowed) or key


"""A change to a shop/ file the components read gives a new model that uses it.

Two places must both see the change: `dxm train` names a model after its inputs (a
new name means a new training, else the old model is reused), and inside that training
Rasa's cache reuses any component whose inputs and fingerprint_addon are unchanged.
The hand-off words (policy.yml) and product names (catalog.yml) are not training data,
so without their fingerprint the retrained model kept the old words.

A tiny NLU-only project with the reference's config and shop/, trained twice (about
half a minute of CPU); the cache is Rasa's own, in the reference folder, as for students.
"""
import asyncio
import re
import shutil

import pytest
import yaml

from bot.project import REFERENCE_ROOT, SHOP_TRAINING_FILES, Project
from bot.training import train

pytestmark = pytest.mark.slow

DOMAIN = """version: "3.1"
intents: [greet, complain, ask_stock]
entities: [product]
responses:
  utter_greet:
  - text: 您好，有什么可以帮您？
"""
NLU = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    - 在吗
    - 有人吗
    - 哈喽
    - 亲在不在
    - 您好
- intent: complain
  examples: |
    - 我要投诉你们
    - 给差评
    - 太差劲了我要投诉
    - 我去12315告你们
    - 这店是黑店
    - 要举报你们
- intent: ask_stock
  examples: |
    - 还有货吗
    - T恤有货吗
    - 这个有库存吗
    - 什么时候补货
    - 黑色还有吗
    - 断货了吗
"""
NEW_HANDOFF_WORD = "叫你们老板来"
NEW_ALIAS = "悦动小白"


def parse(model, texts):
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [asyncio.run(agent.parse_message(text)) for text in texts]


def edit_yaml(path, change):
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


@pytest.fixture
def tiny_project(tmp_path, monkeypatch):
    root = tmp_path / "tiny"
    (root / "data").mkdir(parents=True)
    shutil.copy(REFERENCE_ROOT / "config.yml", root / "config.yml")
    shutil.copytree(REFERENCE_ROOT / "shop", root / "shop")
    (root / "domain.yml").write_text(DOMAIN, "utf-8")
    (root / "data" / "nlu.yml").write_text(NLU, "utf-8")
    monkeypatch.setenv("SHOP_DIR", str(root / "shop"))  # for parsing in this process
    return Project.at(root)


def test_the_model_is_named_after_every_shop_file_the_components_read():
    source = (REFERENCE_ROOT / "components" / "shop_facts.py").read_text("utf-8")
    read = set(re.findall(r"""["']([\w.-]+\.(?:yml|yaml|txt))["']""", source))
    assert read == set(SHOP_TRAINING_FILES)


def test_every_listed_shop_file_changes_the_model_name(tiny_project):
    for name in SHOP_TRAINING_FILES:
        before = tiny_project.model_path()
        path = tiny_project.shop / name
        path.write_text(path.read_text("utf-8") + "\n# 改动\n", "utf-8")
        assert tiny_project.model_path() != before, f"shop/{name} 改了，模型名却没变"


def test_new_hand_off_words_and_product_names_reach_the_retrained_model(tiny_project):
    asked = [f"{NEW_HANDOFF_WORD}！", f"{NEW_ALIAS}有货吗"]
    models = [train(tiny_project)]
    handoff, stock = parse(models[-1], asked)
    assert handoff["intent"]["confidence"] < 1.0
    assert not [e for e in stock["entities"] if e["entity"] == "product"]

    # One file at a time: a change to the catalog also changes the tokenizer, whose
    # new output would retrain everything after it and hide a stale component.
    edit_yaml(tiny_project.shop / "policy.yml",
              lambda policy: policy["handoff_keywords"].append(NEW_HANDOFF_WORD))
    models.append(train(tiny_project))
    handoff, stock = parse(models[-1], asked)
    assert handoff["intent"] == {"name": "complain", "confidence": 1.0}
    assert not [e for e in stock["entities"] if e["entity"] == "product"]

    edit_yaml(tiny_project.shop / "catalog.yml",
              lambda catalog: catalog["products"][0]["aliases"].append(NEW_ALIAS))
    models.append(train(tiny_project))
    handoff, stock = parse(models[-1], asked)
    assert handoff["intent"] == {"name": "complain", "confidence": 1.0}
    assert stock["intent"]["name"] == "ask_stock"
    first_id = yaml.safe_load((tiny_project.shop / "catalog.yml").read_text("utf-8"))["products"][0]["id"]
    assert [e["value"] for e in stock["entities"] if e["entity"] == "product"] == [first_id]
    assert len(set(models)) == 3

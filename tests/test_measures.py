"""Order numbers and body measures found in shoppers' free text."""
import pytest

from components.measures import find_measures


def found(text):
    return {(f.entity, f.value) for f in find_measures(text)}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我175 70kg穿啥码", {("height", "175"), ("weight", "70")}),
        ("身高170体重130斤", {("height", "170"), ("weight", "65")}),
        ("一米七五 75公斤", {("height", "175"), ("weight", "75")}),
        ("160cm 95斤", {("height", "160"), ("weight", "47.5")}),
        ("我男175/70穿啥码", {("height", "175"), ("weight", "70")}),
        ("170 120", {("height", "170"), ("weight", "60")}),
        ("1.65米 50kg", {("height", "165"), ("weight", "50")}),
        ("身高一米八", {("height", "180")}),
        ("我165，100斤", {("height", "165"), ("weight", "50")}),
        ("脚长24.5穿多大", {("foot_length", "24.5")}),
        ("一米六 九十斤", {("height", "160"), ("weight", "45")}),
        ("一米七 一百二十斤", {("height", "170"), ("weight", "60")}),
        ("体重一百二斤", {("weight", "60")}),
        ("七十五公斤", {("weight", "75")}),
        ("245mm的脚", {("foot_length", "24.5")}),
    ],
)
def test_body_measures(text, expected):
    assert found(text) == expected


def test_order_number_is_not_read_as_height_or_weight():
    assert found("订单4201230001234567890到哪了") == {("order_id", "4201230001234567890")}


def test_prices_and_counts_are_not_measures():
    assert found("买了2件 79元 还有180元的那个") == set()


def test_huge_and_odd_input_is_harmless():
    assert found("😭" * 2000 + "'; DROP TABLE orders; --") == set()
    assert found("") == set()

"""Custom visitor attributes: checked on the way in (one clear error), merged, stored once per change."""

import uuid

import pytest

from server.conversations import events
from server.conversations.models import Visitor
from server.conversations.services.visitor_attributes import (
    check_visitor_attributes,
    do_set_visitor_attributes,
)
from server.errors import ParleyError

pytestmark = pytest.mark.django_db(transaction=True)


def test_strings_numbers_booleans_and_null_pass():
    """Each value kind a page may send is kept as it is; null stays null (it removes the key)."""
    given = {"plan": "pro", "seats": 3, "mrr": 49.5, "trial": False, "old": None}
    assert check_visitor_attributes(attributes=given) == given


@pytest.mark.parametrize(
    "attributes",
    [
        {"Plan": "pro"},
        {"": "x"},
        {"a" * 41: "x"},
        {"plan-name": "pro"},
        {"<script>": "x"},
        {"__proto__": "x"},
        {"1st": "x"},
        {"plan": {"nested": "object"}},
        {"plan": ["a", "list"]},
        {"plan": "x" * 201},
        {"plan": "nul\x00byte"},
        {"score": float("nan")},
        {"score": float("inf")},
        {f"key_{number}": number for number in range(21)},
    ],
)
def test_bad_attributes_are_refused_with_invalid_attributes(attributes):
    """Keys not a letter then up to 39 of [a-z0-9_], nested or list values, over-long or unstorable text,
    non-finite numbers and more than PARLEY_VISITOR_ATTRIBUTES_MAX keys: invalid_attributes."""
    with pytest.raises(ParleyError) as refused:
        check_visitor_attributes(attributes=attributes)
    assert refused.value.code == "invalid_attributes"
    assert refused.value.http_status == 400


def test_limits_follow_the_settings(settings):
    """PARLEY_VISITOR_ATTRIBUTES_MAX and PARLEY_VISITOR_ATTRIBUTE_VALUE_MAX_CHARS set the limits."""
    settings.PARLEY_VISITOR_ATTRIBUTES_MAX = 2
    settings.PARLEY_VISITOR_ATTRIBUTE_VALUE_MAX_CHARS = 3
    assert check_visitor_attributes(attributes={"a": "abc", "b": 1})
    with pytest.raises(ParleyError):
        check_visitor_attributes(attributes={"a": "abcd"})
    with pytest.raises(ParleyError):
        check_visitor_attributes(attributes={"a": 1, "b": 2, "c": 3})


def test_attributes_merge_null_removes_and_only_changes_are_written_and_announced(visitor_alice, monkeypatch):
    """Later attributes merge into the stored ones, null removes a key, the same ones again change nothing."""
    announced: list[events.Event] = []
    monkeypatch.setattr(events, "publish", lambda batch: announced.extend(batch))
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    site_id = visitor_alice.site.pk
    assert do_set_visitor_attributes(
        site_id=site_id, visitor_id=visitor_id, attributes={"plan": "pro", "seats": 3}
    )
    assert not do_set_visitor_attributes(site_id=site_id, visitor_id=visitor_id, attributes={"plan": "pro"})
    assert do_set_visitor_attributes(
        site_id=site_id, visitor_id=visitor_id, attributes={"seats": None, "vip": True}
    )
    assert Visitor.objects.get(pk=visitor_id).attributes == {"plan": "pro", "vip": True}
    assert [
        event.attributes for event in announced if isinstance(event, events.VisitorAttributesChanged)
    ] == [
        {"plan": "pro", "seats": 3},
        {"plan": "pro", "vip": True},
    ]


def test_the_merged_attributes_stay_within_the_limit(visitor_alice, settings):
    """Merging may not grow a visitor past PARLEY_VISITOR_ATTRIBUTES_MAX keys: refused, nothing written."""
    settings.PARLEY_VISITOR_ATTRIBUTES_MAX = 2
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    site_id = visitor_alice.site.pk
    do_set_visitor_attributes(site_id=site_id, visitor_id=visitor_id, attributes={"a": 1, "b": 2})
    with pytest.raises(ParleyError) as refused:
        do_set_visitor_attributes(site_id=site_id, visitor_id=visitor_id, attributes={"c": 3})
    assert refused.value.code == "invalid_attributes"
    assert Visitor.objects.get(pk=visitor_id).attributes == {"a": 1, "b": 2}


def test_another_sites_visitor_is_not_written(visitor_alice, site_globex):
    """A visitor id of another site changes nothing."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    assert not do_set_visitor_attributes(site_id=site_globex.pk, visitor_id=visitor_id, attributes={"a": 1})
    assert Visitor.objects.get(pk=visitor_id).attributes == {}

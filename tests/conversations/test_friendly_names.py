"""Friendly names: stable per visitor, from two word lists of 64."""

import uuid

from server.conversations.friendly_names import ADJECTIVES, ANIMALS, friendly_name, visitor_display_name


def test_word_lists_hold_64_distinct_words_each():
    """Each list has at least 64 distinct, capitalised words."""
    for words in (ADJECTIVES, ANIMALS):
        assert len(set(words)) >= 64
        assert all(word[:1].isupper() and word.isalpha() for word in words)


def test_the_name_is_stable_and_spreads_over_visitors():
    """The same id always gives the same name; many ids give many names."""
    visitor_id = uuid.UUID("6fb17100-0000-4000-8000-000000000000")
    assert friendly_name(visitor_id) == friendly_name(uuid.UUID(str(visitor_id)))
    adjective, animal = friendly_name(visitor_id).split(" ")
    assert adjective in ADJECTIVES
    assert animal in ANIMALS
    names = {friendly_name(uuid.uuid4()) for _ in range(500)}
    assert len(names) > 400


def test_a_given_name_wins_over_the_friendly_one():
    """display_name is the visitor's name when it has one (trimmed), else the friendly name."""
    visitor_id = uuid.uuid4()
    assert visitor_display_name(visitor_id=visitor_id, name="  Ada ") == "Ada"
    assert visitor_display_name(visitor_id=visitor_id, name=" ") == friendly_name(visitor_id)

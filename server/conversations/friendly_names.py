"""Friendly names for anonymous visitors ("Amber Fox"): deterministic from the visitor id, no storage."""

import uuid

ADJECTIVES = (
    "Amber", "Azure", "Bold", "Brave", "Bright", "Brisk", "Calm", "Clever",
    "Coral", "Cosmic", "Crimson", "Curious", "Dapper", "Daring", "Dusky", "Eager",
    "Electric", "Emerald", "Fancy", "Fearless", "Fuzzy", "Gentle", "Gilded", "Glad",
    "Golden", "Graceful", "Happy", "Hazel", "Honest", "Humble", "Ivory", "Jade",
    "Jolly", "Keen", "Kind", "Lively", "Lucky", "Lunar", "Merry", "Misty",
    "Mellow", "Nimble", "Noble", "Olive", "Patient", "Plucky", "Polite", "Proud",
    "Quick", "Quiet", "Rosy", "Ruby", "Rustic", "Sage", "Scarlet", "Silver",
    "Sleepy", "Snowy", "Solar", "Sunny", "Swift", "Teal", "Velvet", "Witty",
)  # fmt: skip
ANIMALS = (
    "Albatross", "Alpaca", "Badger", "Beaver", "Bison", "Bobcat", "Camel", "Caribou",
    "Cheetah", "Condor", "Cougar", "Coyote", "Crane", "Dingo", "Dolphin", "Eagle",
    "Falcon", "Ferret", "Finch", "Fox", "Gazelle", "Gecko", "Gibbon", "Giraffe",
    "Heron", "Hedgehog", "Ibis", "Impala", "Jackal", "Jaguar", "Koala", "Lemur",
    "Leopard", "Llama", "Lynx", "Magpie", "Marmot", "Meerkat", "Mink", "Moose",
    "Narwhal", "Newt", "Ocelot", "Otter", "Owl", "Panda", "Panther", "Pelican",
    "Penguin", "Puffin", "Quail", "Rabbit", "Raccoon", "Raven", "Salmon", "Seal",
    "Sparrow", "Stork", "Tapir", "Tiger", "Toucan", "Walrus", "Wombat", "Zebra",
)  # fmt: skip


def friendly_name(visitor_id: uuid.UUID) -> str:
    """The generated name of a visitor: an adjective and an animal picked by its id (stable, no database)."""
    # A random UUID's first bytes are random; two of them pick the words independently.
    number = visitor_id.int >> 64
    return f"{ADJECTIVES[number % len(ADJECTIVES)]} {ANIMALS[(number >> 16) % len(ANIMALS)]}"


def visitor_display_name(*, visitor_id: uuid.UUID, name: str) -> str:
    """The name agents see: the one the visitor gave, else its friendly name."""
    return name.strip() or friendly_name(visitor_id)

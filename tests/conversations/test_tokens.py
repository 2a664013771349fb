"""Which keys sign and read visitor tokens: their own when set, else SECRET_KEY's."""

import uuid

from server.conversations.tokens import read_visitor_token, sign_visitor_token, visitor_token_keys


def test_without_a_key_of_their_own_tokens_use_secret_key_and_its_fallbacks(settings):
    """PARLEY_VISITOR_TOKEN_KEY empty → SECRET_KEY and SECRET_KEY_FALLBACKS."""
    settings.PARLEY_VISITOR_TOKEN_KEY = ""
    settings.SECRET_KEY_FALLBACKS = ["old"]
    settings.PARLEY_VISITOR_TOKEN_KEY_FALLBACKS = ["ignored"]
    assert visitor_token_keys() == (settings.SECRET_KEY, ["old"])


def test_a_key_of_their_own_comes_with_its_own_fallbacks(settings):
    """PARLEY_VISITOR_TOKEN_KEY set → it and PARLEY_VISITOR_TOKEN_KEY_FALLBACKS, never SECRET_KEY's."""
    settings.PARLEY_VISITOR_TOKEN_KEY = "visitor-key"
    settings.PARLEY_VISITOR_TOKEN_KEY_FALLBACKS = ["older-visitor-key"]
    settings.SECRET_KEY_FALLBACKS = ["old"]
    assert visitor_token_keys() == ("visitor-key", ["older-visitor-key"])


def test_a_token_round_trips_under_either_key(settings):
    """sign then read → the same claim, with SECRET_KEY and with a key of their own."""
    visitor_id = uuid.uuid4()
    for key in ("", "visitor-key"):
        settings.PARLEY_VISITOR_TOKEN_KEY = key
        token = sign_visitor_token(site_id=3, visitor_id=visitor_id)
        claim = read_visitor_token(token=token, max_age=60)
        assert (claim.site_id, claim.visitor_id) == (3, visitor_id)

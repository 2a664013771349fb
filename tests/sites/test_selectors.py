"""Site reads: a site key is matched in full before any query."""

import pytest

from server.errors import ParleyError
from server.sites.selectors import get_site_by_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("suffix", ["\n", "\x00", " ", "é", "a" * 64])
def test_a_malformed_key_is_site_not_found_without_a_query(site_acme, suffix, django_assert_num_queries):
    """A real key + newline, NUL, space, non-ASCII, or over 64 characters → site_not_found, no query."""
    with django_assert_num_queries(0), pytest.raises(ParleyError) as raised:
        get_site_by_key(site_key=site_acme.public_key + suffix)
    assert raised.value.code == "site_not_found"


def test_a_well_formed_key_finds_its_site(site_acme):
    """The site's own key → the site."""
    assert get_site_by_key(site_key=site_acme.public_key).pk == site_acme.pk

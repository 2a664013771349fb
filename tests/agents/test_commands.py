"""parley_vapid_keys: a usable VAPID pair written once."""

from io import StringIO

from django.core.management import call_command
from py_vapid import Vapid  # type: ignore[import-untyped]

from tests.push_receiver import b64url_decode


def test_a_pair_is_written_once_and_kept(tmp_path):
    """The private key is PEM (owner-only), the public key its uncompressed point; a second run keeps them."""
    call_command("parley_vapid_keys", tmp_path / "vapid", stdout=StringIO())
    private = (tmp_path / "vapid" / "private_key.pem").read_text()
    public = (tmp_path / "vapid" / "public_key.txt").read_text().strip()
    assert (tmp_path / "vapid" / "private_key.pem").stat().st_mode & 0o077 == 0
    assert len(b64url_decode(public)) == 65
    signed = Vapid.from_pem(private.encode()).sign({"sub": "mailto:a@b.test", "aud": "https://push.test"})
    assert f"k={public}" in signed["Authorization"]
    call_command("parley_vapid_keys", tmp_path / "vapid", stdout=StringIO())
    assert (tmp_path / "vapid" / "private_key.pem").read_text() == private

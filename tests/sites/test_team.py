"""A site's team: invitations by email with a role, their signed links, role changes and removals."""

import pytest
from django.contrib.auth.models import User
from django.core import mail, signing
from django.utils import timezone

from server.errors import ParleyError
from server.sites.models import Invitation, Site, SiteMembership
from server.sites.team import (
    INVITATION_SALT,
    check_invitation_token,
    check_site_owner,
    do_accept_invitation,
    do_change_member_role,
    do_invite_member,
    do_remove_site_member,
    do_revoke_invitation,
    pending_invitations,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def test_only_owners_reach_a_site(site_acme: Site, owner_olga: User, agent_bob: User, agent_eve: User):
    """Owners get their site; its agents and other sites' people get site_not_found."""
    assert check_site_owner(user=owner_olga, site_id=site_acme.pk) == site_acme
    for user in (agent_bob, agent_eve):
        with pytest.raises(ParleyError) as refused:
            check_site_owner(user=user, site_id=site_acme.pk)
        assert refused.value.code == "site_not_found"


def test_an_invitation_is_emailed_with_a_link_that_works_once(site_acme: Site, owner_olga: User):
    """The invitee gets an email whose link names the invitation; accepting it twice is refused."""
    sent = do_invite_member(site=site_acme, email="Dan@Acme.TEST ", role="agent", invited_by=owner_olga)
    assert sent.invitation.email == "Dan@acme.test"
    assert [message.to for message in mail.outbox] == [["Dan@acme.test"]]
    assert sent.url in mail.outbox[0].body
    invitation = check_invitation_token(token=_token(sent.url))
    dan = User.objects.create_user(username="dan", email="dan@acme.test")
    membership = do_accept_invitation(invitation=invitation, user=dan)
    assert (membership.site_id, membership.role) == (site_acme.pk, "agent")
    with pytest.raises(ParleyError):
        check_invitation_token(token=_token(sent.url))


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps({"i": 1}, salt="another.salt"),
        signing.dumps({"i": "1"}, salt=INVITATION_SALT),
        signing.dumps([1], salt=INVITATION_SALT),
    ],
)
def test_forged_invitation_links_are_refused(token: str, site_acme: Site, owner_olga: User):
    """A token of another salt, shape or signature names no invitation."""
    do_invite_member(site=site_acme, email="dan@acme.test", role="agent", invited_by=owner_olga)
    with pytest.raises(ParleyError) as refused:
        check_invitation_token(token=token)
    assert refused.value.code == "not_found"


def test_an_expired_or_revoked_invitation_is_refused(site_acme: Site, owner_olga: User, settings):
    """The link stops working once withdrawn, and after PARLEY_INVITATION_MAX_AGE."""
    sent = do_invite_member(site=site_acme, email="dan@acme.test", role="agent", invited_by=owner_olga)
    settings.PARLEY_INVITATION_MAX_AGE = -1
    with pytest.raises(ParleyError):
        check_invitation_token(token=_token(sent.url))
    settings.PARLEY_INVITATION_MAX_AGE = 3600
    do_revoke_invitation(site=site_acme, invitation_id=sent.invitation.pk)
    with pytest.raises(ParleyError):
        check_invitation_token(token=_token(sent.url))
    assert pending_invitations(site=site_acme) == []


def test_inviting_again_replaces_the_pending_invitation(site_acme: Site, owner_olga: User):
    """A second invitation to the same address withdraws the first: one link works."""
    first = do_invite_member(site=site_acme, email="dan@acme.test", role="agent", invited_by=owner_olga)
    second = do_invite_member(site=site_acme, email="dan@acme.test", role="owner", invited_by=owner_olga)
    assert pending_invitations(site=site_acme) == [second.invitation]
    with pytest.raises(ParleyError):
        check_invitation_token(token=_token(first.url))


@pytest.mark.parametrize(("email", "role"), [("not an email", "agent"), ("dan@acme.test", "admin")])
def test_bad_invitations_are_refused(email: str, role: str, site_acme: Site, owner_olga: User):
    """An invalid address or an unknown role sends nothing."""
    with pytest.raises(ParleyError):
        do_invite_member(site=site_acme, email=email, role=role, invited_by=owner_olga)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_members_are_not_invited_again(site_acme: Site, owner_olga: User):
    """Inviting someone already on the team is refused with a message naming them."""
    with pytest.raises(ParleyError, match="already a member"):
        do_invite_member(site=site_acme, email="OLGA@acme.test", role="agent", invited_by=owner_olga)


def test_invitations_are_limited_per_site(site_acme: Site, owner_olga: User, settings):
    """Past PARLEY_LIMIT_INVITATIONS_PER_SITE, rate_limited and no email."""
    settings.PARLEY_LIMIT_INVITATIONS_PER_SITE = "2/hour"
    for n in range(2):
        do_invite_member(site=site_acme, email=f"a{n}@acme.test", role="agent", invited_by=owner_olga)
    with pytest.raises(ParleyError) as refused:
        do_invite_member(site=site_acme, email="a3@acme.test", role="agent", invited_by=owner_olga)
    assert refused.value.code == "rate_limited"
    assert len(mail.outbox) == 2


def test_a_site_keeps_an_owner(site_acme: Site, owner_olga: User, agent_bob: User):
    """The last owner can be neither demoted nor removed; once another is owner, they can."""
    olga = SiteMembership.objects.get(user=owner_olga)
    bob = SiteMembership.objects.get(user=agent_bob)
    for change in (
        lambda: do_change_member_role(site=site_acme, membership_id=olga.pk, role="agent"),
        lambda: do_remove_site_member(site=site_acme, membership_id=olga.pk),
    ):
        with pytest.raises(ParleyError, match="at least one owner"):
            change()
    do_change_member_role(site=site_acme, membership_id=bob.pk, role="owner")
    do_remove_site_member(site=site_acme, membership_id=olga.pk)
    assert list(SiteMembership.objects.values_list("user__username", "role")) == [("bob", "owner")]


def test_members_of_another_site_cannot_be_changed(site_acme: Site, site_globex: Site, agent_eve: User):
    """A membership id of another site is not_found on this one."""
    eve = SiteMembership.objects.get(user=agent_eve)
    with pytest.raises(ParleyError) as refused:
        do_remove_site_member(site=site_acme, membership_id=eve.pk)
    assert refused.value.code == "not_found"
    assert SiteMembership.objects.filter(pk=eve.pk).exists()


def test_an_owner_invitation_promotes_an_existing_agent(site_acme: Site, owner_olga: User, agent_bob: User):
    """Accepting an owner invitation as an agent of the site makes them owner."""
    invitation = Invitation.objects.create(site=site_acme, email="bob@acme.test", role="owner")
    do_accept_invitation(invitation=invitation, user=agent_bob)
    assert SiteMembership.objects.get(user=agent_bob).role == "owner"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_at <= timezone.now()

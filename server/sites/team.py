"""A site's team: its owners and agents, invitations by email, role changes and removals.

Only owners manage a team (`check_site_owner`). A site always keeps at least one owner. Removing a member
deletes their membership, and server/realtime/access.py closes their console sockets (4003) at once, so
open consoles lose the site without a reload.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from server.email_address import check_email_address
from server.errors import ParleyError
from server.limits.checks import check_invitation
from server.sites.models import Invitation, Site, SiteMembership

INVITATION_SALT = "parley.sites.invitation"


def _ownerships(user: AbstractBaseUser | AnonymousUser) -> QuerySet[SiteMembership]:
    """The rule of who owns what, written once: an active user's memberships with the role owner."""
    if not (user.is_authenticated and user.is_active):
        return SiteMembership.objects.none()
    return SiteMembership.objects.filter(user_id=user.pk, role=SiteMembership.Role.OWNER)


def check_site_owner(*, user: AbstractBaseUser | AnonymousUser, site_id: int) -> Site:
    """The site if this user owns it; `site_not_found` otherwise (others learn nothing of it)."""
    membership = _ownerships(user).select_related("site").filter(site_id=site_id).first()
    if membership is None:
        raise ParleyError("site_not_found", "No site of yours has this id.")
    return membership.site


def owns_a_site(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this user owns at least one site (the console then links to the owner pages)."""
    return _ownerships(user).exists()


def owned_sites(*, user: AbstractBaseUser | AnonymousUser) -> list[Site]:
    """The sites this user owns, by name."""
    return list(Site.objects.filter(pk__in=_ownerships(user).values("site_id")).order_by("name", "pk"))


def _check_role(role: str) -> str:
    if role not in SiteMembership.Role.values:
        raise ParleyError("invalid_field", "The role must be 'owner' or 'agent'.")
    return role


@dataclass(frozen=True)
class SentInvitation:
    """An invitation just made, and the link its email carries."""

    invitation: Invitation
    url: str


def invitation_url(*, invitation: Invitation) -> str:
    """The signed link that accepts this invitation."""
    token = signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT, compress=True)
    return f"{settings.PARLEY_PUBLIC_URL.rstrip('/')}/owner/invitations/{token}/"


@transaction.atomic
def do_invite_member(*, site: Site, email: str, role: str, invited_by: User) -> SentInvitation:
    """Invite an email address to the site with a role; the email with its link goes out after commit."""
    email = check_email_address(email=email)
    role = _check_role(role)
    if SiteMembership.objects.filter(site=site, user__email__iexact=email).exists():
        raise ParleyError("invalid_field", f"{email} is already a member of {site.name}.")
    check_invitation(site_id=site.pk)
    Invitation.objects.filter(site=site, email__iexact=email, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    invitation = Invitation.objects.create(site=site, email=email, role=role, invited_by=invited_by)
    url = invitation_url(invitation=invitation)
    inviter = invited_by.get_full_name() or invited_by.get_username()
    transaction.on_commit(
        lambda: _send_invitation(invitation=invitation, url=url, inviter=inviter), robust=True
    )
    return SentInvitation(invitation=invitation, url=url)


def _send_invitation(*, invitation: Invitation, url: str, inviter: str) -> None:
    days = settings.PARLEY_INVITATION_MAX_AGE // 86400
    send_mail(
        subject=f"Join {invitation.site.name} on Parley",
        message=(
            f"{inviter} invites you to answer chats for {invitation.site.name} on Parley, "
            f"as {invitation.get_role_display().lower()}.\n\n"
            f"Accept the invitation: {url}\n\n"
            f"The link works once, for {days} days. If you did not expect it, ignore this email."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


def pending_invitations(*, site: Site) -> list[Invitation]:
    """The site's invitations not yet accepted, revoked or expired, newest first."""
    since = timezone.now() - datetime.timedelta(seconds=settings.PARLEY_INVITATION_MAX_AGE)
    return list(
        Invitation.objects.filter(
            site=site, accepted_at=None, revoked_at=None, created_at__gt=since
        ).order_by("-created_at")
    )


def check_invitation_token(*, token: str) -> Invitation:
    """The open invitation a link's token names, or `not_found` (forged, expired, used or revoked)."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=settings.PARLEY_INVITATION_MAX_AGE)
    except signing.BadSignature as error:
        raise ParleyError("not_found", "This invitation link is not valid or has expired.") from error
    pk = data.get("i") if isinstance(data, dict) else None
    invitation = (
        Invitation.objects.select_related("site").filter(pk=pk, accepted_at=None, revoked_at=None).first()
        if isinstance(pk, int)
        else None
    )
    if invitation is None:
        raise ParleyError("not_found", "This invitation was already used or has been withdrawn.")
    return invitation


@transaction.atomic
def do_accept_invitation(*, invitation: Invitation, user: User) -> SiteMembership:
    """Make the user a member of the invitation's site with its role; the invitation is then used up."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ParleyError("not_found", "This invitation was already used or has been withdrawn.")
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    membership, created = SiteMembership.objects.get_or_create(
        site_id=invitation.site_id, user=user, defaults={"role": invitation.role}
    )
    if not created and membership.role != invitation.role == SiteMembership.Role.OWNER:
        membership.role = SiteMembership.Role.OWNER
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def do_revoke_invitation(*, site: Site, invitation_id: int) -> None:
    """Withdraw a pending invitation of the site: its link stops working."""
    Invitation.objects.filter(site=site, pk=invitation_id, accepted_at=None).update(revoked_at=timezone.now())


def _membership(*, site: Site, membership_id: int) -> SiteMembership:
    membership = SiteMembership.objects.select_for_update().filter(site=site, pk=membership_id).first()
    if membership is None:
        raise ParleyError("not_found", "This person is not a member of the site.")
    return membership


def _keep_an_owner(*, site: Site, leaving: SiteMembership) -> None:
    if leaving.role != SiteMembership.Role.OWNER:
        return
    owners = SiteMembership.objects.select_for_update().filter(site=site, role=SiteMembership.Role.OWNER)
    if not owners.exclude(pk=leaving.pk).exists():
        raise ParleyError("invalid_field", "A site keeps at least one owner: make someone else owner first.")


@transaction.atomic
def do_change_member_role(*, site: Site, membership_id: int, role: str) -> SiteMembership:
    """Make a member owner or agent; the last owner stays owner."""
    role = _check_role(role)
    membership = _membership(site=site, membership_id=membership_id)
    if role != SiteMembership.Role.OWNER:
        _keep_an_owner(site=site, leaving=membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def do_remove_site_member(*, site: Site, membership_id: int) -> None:
    """Remove a member from the site; their open consoles lose it at once. The last owner stays."""
    membership = _membership(site=site, membership_id=membership_id)
    _keep_an_owner(site=site, leaving=membership)
    membership.delete()


def site_members(*, site: Site) -> list[SiteMembership]:
    """The site's members with their users, owners first."""
    return list(
        SiteMembership.objects.filter(site=site).select_related("user").order_by("-role", "user__username")
    )

"""A site's team page: members with their roles, invitations by email, and accepting one."""

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from server.errors import ParleyError
from server.owner.views import site_owner_page
from server.sites.models import Invitation, Site, SiteMembership
from server.sites.team import (
    check_invitation_token,
    do_accept_invitation,
    do_change_member_role,
    do_invite_member,
    do_remove_site_member,
    do_revoke_invitation,
    pending_invitations,
    site_members,
)


class InviteForm(forms.Form):
    """Who to invite, and as what."""

    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=SiteMembership.Role.choices, initial=SiteMembership.Role.AGENT)


def _team_page(request: HttpRequest, site: Site, *, invite_form: InviteForm | None = None) -> HttpResponse:
    context = {
        "site": site,
        "tab": "team",
        "members": site_members(site=site),
        "invitations": pending_invitations(site=site),
        "invite_form": invite_form or InviteForm(),
        "roles": SiteMembership.Role.choices,
    }
    # htmx asks for the team section alone after an action, the browser for the whole page.
    template = "owner/_team.html" if request.headers.get("HX-Request") else "owner/team.html"
    return render(request, template, context)


@site_owner_page
def team(request: HttpRequest, site: Site) -> HttpResponse:
    """The site's members and pending invitations."""
    return _team_page(request, site)


@require_POST
@site_owner_page
def invite(request: HttpRequest, site: Site) -> HttpResponse:
    """Invite someone by email with a role."""
    form = InviteForm(request.POST)
    if form.is_valid():
        assert isinstance(request.user, User)
        try:
            do_invite_member(
                site=site,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ParleyError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            form = InviteForm()
    return _team_page(request, site, invite_form=form)


@require_POST
@site_owner_page
def change_role(request: HttpRequest, site: Site, membership_id: int) -> HttpResponse:
    """Make a member owner or agent."""
    try:
        do_change_member_role(site=site, membership_id=membership_id, role=request.POST.get("role", ""))
    except ParleyError as error:
        messages.error(request, error.message)
    return _team_page(request, site)


@require_POST
@site_owner_page
def remove_member(request: HttpRequest, site: Site, membership_id: int) -> HttpResponse:
    """Remove a member: their open consoles lose the site at once."""
    try:
        do_remove_site_member(site=site, membership_id=membership_id)
    except ParleyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Removed. Their consoles no longer show this site.")
    return _team_page(request, site)


@require_POST
@site_owner_page
def revoke_invitation(request: HttpRequest, site: Site, invitation_id: int) -> HttpResponse:
    """Withdraw a pending invitation."""
    do_revoke_invitation(site=site, invitation_id=invitation_id)
    return _team_page(request, site)


class JoinForm(forms.Form):
    """A new member's name and password, for an invitation to an email with no account yet."""

    name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(widget=forms.PasswordInput, strip=False, max_length=128)

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.email = email

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password, User(username=self.email, email=self.email))
        return password


@transaction.atomic
def _create_member(*, invitation: Invitation, form: JoinForm) -> User:
    name = form.cleaned_data["name"].strip()
    first, _, last = name.partition(" ")
    user = User.objects.create_user(
        username=invitation.email[:150], email=invitation.email, password=form.cleaned_data["password"]
    )
    user.first_name, user.last_name = first[:150], last[:150]
    user.save(update_fields=["first_name", "last_name"])
    # The link reached this inbox: the address is verified (allauth asks for one before TOTP, say).
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    do_accept_invitation(invitation=invitation, user=user)
    return user


@never_cache
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: a signed-in person joins with one click; someone new sets a password and joins
    (the link reached their inbox, which verifies the address); an existing account logs in first."""
    try:
        invitation = check_invitation_token(token=token)
    except ParleyError as error:
        return render(request, "owner/invitation_invalid.html", {"message": error.message}, status=404)
    existing = User.objects.filter(email__iexact=invitation.email).exists()
    user = request.user
    form = JoinForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        if isinstance(user, User) and user.is_authenticated:
            do_accept_invitation(invitation=invitation, user=user)
            return _joined(request, invitation)
        if not existing and form.is_valid():
            new_user = _create_member(invitation=invitation, form=form)
            login(request, new_user, backend="allauth.account.auth_backends.AuthenticationBackend")
            return _joined(request, invitation)
    return render(
        request,
        "owner/invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "existing": existing,
            "login_url": f"{reverse('agent_console:login')}?next={request.path}",
        },
    )


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, f"You joined {invitation.site.name}.")
    if invitation.role == SiteMembership.Role.OWNER:
        return redirect("owner:site-settings", site_id=invitation.site_id)
    return redirect("agent_console:console")

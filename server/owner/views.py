"""Site owners' pages: their sites, each site's settings with a live preview, and its installation."""

import copy
from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.constants import SELF
from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from server.errors import ParleyError
from server.protocol import frames
from server.sites.forms import NewSiteForm, SiteForm
from server.sites.identity import do_rotate_identity_secret, previous_secret_until
from server.sites.installation import do_allow_site_origin, installation_check
from server.sites.models import Site
from server.sites.selectors import embed_code, socket_url, widget_config
from server.sites.services import do_create_owned_site
from server.sites.team import check_site_owner, owned_sites

SitePage = Callable[..., HttpResponse]


def site_owner_page(view: SitePage) -> SitePage:
    """A page of one site: for its owners only (404 for anyone else), never cached."""

    @never_cache
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, site_id: int, **kwargs: Any) -> HttpResponse:
        try:
            site = check_site_owner(user=request.user, site_id=site_id)
        except ParleyError as error:
            raise Http404(error.message) from error
        return view(request, site, **kwargs)

    return wrapper


@never_cache
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The sites this person owns; with none yet, the form that creates the first."""
    sites = owned_sites(user=request.user)
    if not sites:
        return redirect("owner:site-create")
    return render(request, "owner/home.html", {"sites": sites})


@never_cache
@login_required
def site_create(request: HttpRequest) -> HttpResponse:
    """A new site: its name and origins first; the creator becomes its owner."""
    form = NewSiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert request.user.pk is not None
        site = do_create_owned_site(site=form.save(commit=False), owner_id=request.user.pk)
        messages.success(request, f"{site.name} is ready: paste its embed code into your pages.")
        return redirect("owner:site-install", site_id=site.pk)
    return render(request, "owner/site_create.html", {"form": form, "sites": owned_sites(user=request.user)})


@csp_update({"frame-src": [SELF]})
@site_owner_page
def site_settings(request: HttpRequest, site: Site) -> HttpResponse:
    """The site's settings, beside a preview of the real widget showing them before they are saved."""
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved. Pages pick the new settings up within a minute.")
        return redirect("owner:site-settings", site_id=site.pk)
    return render(
        request,
        "owner/site_settings.html",
        {
            "site": site,
            "form": form,
            "tab": "settings",
            "preview_url": reverse("owner:site-preview", args=[site.pk]),
        },
    )


def _preview_site(*, site: Site, query: QueryDict) -> Site:
    """A copy of the site with the settings of an unsaved form; a field that does not validate keeps its
    saved value, so the preview always shows something the widget accepts (the form puts only cleaned
    fields on its instance, and the business hours only when every field is clean)."""
    preview = copy.copy(site)
    SiteForm(query, instance=preview).is_valid()
    return preview


@csp_replace({"frame-ancestors": [SELF]})
@site_owner_page
def site_preview(request: HttpRequest, site: Site) -> HttpResponse:
    """An empty page with the real widget, given the settings in the query instead of the saved ones."""
    preview = _preview_site(site=site, query=request.GET)
    config = frames.WidgetConfig.model_validate(widget_config(site=preview)).model_dump(mode="json")
    response = render(
        request,
        "owner/preview.html",
        {"site": site, "config": config, "server_url": settings.PARLEY_PUBLIC_URL.rstrip("/")},
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@site_owner_page
def site_install(request: HttpRequest, site: Site) -> HttpResponse:
    """The embed code with a copy button, notes for single-page apps and strict CSPs, the installation
    check, and the identity-verification secret."""
    until = previous_secret_until(site=site)
    return render(
        request,
        "owner/site_install.html",
        {
            "site": site,
            "tab": "install",
            "embed_code": embed_code(site=site, server_url=settings.PARLEY_PUBLIC_URL),
            "server_url": settings.PARLEY_PUBLIC_URL.rstrip("/"),
            "socket_origin": socket_url(server_url=settings.PARLEY_PUBLIC_URL),
            "check": installation_check(site=site),
            "previous_secret_until": until,
        },
    )


@site_owner_page
def installation(request: HttpRequest, site: Site) -> HttpResponse:
    """The installation check alone (the install page polls it)."""
    return render(request, "owner/_installation.html", {"site": site, "check": installation_check(site=site)})


@require_POST
@site_owner_page
def allow_origin(request: HttpRequest, site: Site) -> HttpResponse:
    """Add an origin the installation check found refused to the site's allowed origins."""
    origin = request.POST.get("origin", "")
    try:
        do_allow_site_origin(site=site, origin=origin)
    except ParleyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Added {origin[:300]}: the widget now loads there.")
    return redirect("owner:site-install", site_id=site.pk)


@require_POST
@site_owner_page
def rotate_identity_secret(request: HttpRequest, site: Site) -> HttpResponse:
    """Give the site a new identity secret; the previous one is still accepted for the overlap."""
    do_rotate_identity_secret(site=site)
    messages.success(
        request, "The identity secret is new: put it on your servers before the previous one stops working."
    )
    return redirect(reverse("owner:site-install", args=[site.pk]) + "#identity")

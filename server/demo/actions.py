"""Setting up the demo: a site whose allowed origin is the demo shop, and an agent of it."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from server.sites.models import Site, SiteMembership
from server.sites.origins import check_allowed_origins
from server.sites.services import do_add_site_member, do_create_site

DEMO_SITE_NAME = "Demo shop"


@dataclass(frozen=True)
class DemoSetup:
    """The demo site and its agent."""

    site: Site
    agent: User


@transaction.atomic
def do_set_up_demo(*, host_origins: list[str], username: str, password: str) -> DemoSetup:
    """Create (or refresh) the demo site and demo agent; running it again keeps the site key."""
    origins = check_allowed_origins(origins=host_origins)
    site = Site.objects.filter(name=DEMO_SITE_NAME).order_by("pk").first()
    if site is None:
        site = do_create_site(
            name=DEMO_SITE_NAME,
            allowed_origins=origins,
            color="#0f766e",
            greeting="Hi! Questions about an order?",
        )
    else:
        site.allowed_origins = "\n".join(origins)
        site.save(update_fields=["allowed_origins"])
    user_model = get_user_model()
    agent = user_model.objects.filter(username=username).first()
    if agent is None:
        agent = user_model.objects.create_user(username=username, first_name="Dana")
    agent.set_password(password)
    # The demo's one person is also its site owner and admin, so the admin flow (sites, origins,
    # agents) can be tried with the printed login.
    agent.is_staff = True
    agent.is_superuser = True
    agent.save()
    do_add_site_member(site=site, user=agent, role=SiteMembership.Role.OWNER)
    return DemoSetup(site=site, agent=agent)

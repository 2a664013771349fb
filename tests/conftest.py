"""Named fixtures: sites, agents and visitors, and helpers to open sockets as each of them."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client

from server.asgi import application
from server.conversations.services.visitors import do_start_visitor_session
from server.limits import storage as limits_storage
from server.sites.models import Site, SiteMembership
from server.sites.services import do_add_site_member, do_create_site
from tests.protocol.verify import verified_frames
from tests.services import RedisServer

ACME_ORIGIN = "https://shop.acme.test"
GLOBEX_ORIGIN = "https://globex.test"
CONSOLE_ORIGIN = "http://testserver"


@pytest.fixture(scope="session", autouse=True)
def connections_closed_before_teardown(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """At the end of the session, end what sockets' tests left connected, so the test database can be dropped.

    The thread database_sync_to_async runs on keeps its connection; the event loops' PostgreSQL pools
    (store/loop_db.py) outlive the loops they belonged to, which can no longer close them.
    """
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connection.close()


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Iterator[None]:
    """Each test gets a new in-memory channel layer (its queues belong to one event loop)."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    """Each test starts with empty limit counters (server/limits/), as a fresh server would."""
    limits_storage.reset()
    cache.clear()  # allauth's rate limits count in Django's cache
    yield
    limits_storage.reset()
    cache.clear()


@pytest.fixture(autouse=True)
def frames_match_the_protocol(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every frame the server sends (to a group or a socket) must be one server/protocol/ describes."""
    with verified_frames(monkeypatch) as checker:
        yield
    if checker.mismatches:
        pytest.fail("frames not in the protocol schema:\n" + "\n\n".join(checker.mismatches), pytrace=False)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A throwaway Redis."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def site_acme(db: None) -> Site:
    """A site whose widget runs on shop.acme.test."""
    return do_create_site(name="Acme", allowed_origins=[ACME_ORIGIN])


@pytest.fixture
def site_globex(db: None) -> Site:
    """Another site, on globex.test."""
    return do_create_site(name="Globex", allowed_origins=[GLOBEX_ORIGIN])


@pytest.fixture
def agent_bob(site_acme: Site) -> User:
    """An agent of Acme."""
    user = User.objects.create_user(username="bob", first_name="Bob", password="bob-password-1")
    do_add_site_member(site=site_acme, user=user, role=SiteMembership.Role.AGENT)
    return user


@pytest.fixture
def agent_eve(site_globex: Site) -> User:
    """An agent of Globex only: nothing of Acme may reach her."""
    user = User.objects.create_user(username="eve", first_name="Eve", password="eve-password-1")
    do_add_site_member(site=site_globex, user=user, role=SiteMembership.Role.AGENT)
    return user


@pytest.fixture
def owner_olga(site_acme: Site) -> User:
    """Acme's owner: she manages its settings and its team."""
    user = User.objects.create_user(
        username="olga", email="olga@acme.test", first_name="Olga", password="olga-password-1"
    )
    do_add_site_member(site=site_acme, user=user, role=SiteMembership.Role.OWNER)
    return user


@dataclass
class VisitorIdentity:
    """A visitor's token for one site."""

    site: Site
    token: str
    visitor_id: str


def start_visitor(site: Site) -> VisitorIdentity:
    """Start a visitor session on a site as the widget would."""
    session = do_start_visitor_session(
        site=site, visitor_token=None, page_url="https://shop.acme.test/", user_agent="t"
    )
    return VisitorIdentity(site=site, token=session.visitor_token, visitor_id=str(session.visitor_id))


@pytest.fixture
def admin_ada(db: None) -> User:
    """A superuser, for the Django admin."""
    return User.objects.create_superuser(username="ada", password="ada-password-1")


@pytest.fixture
def visitor_alice(site_acme: Site) -> VisitorIdentity:
    """A visitor on Acme's shop."""
    return start_visitor(site_acme)


@pytest.fixture
def visitor_carol(site_acme: Site) -> VisitorIdentity:
    """Another visitor on Acme's shop."""
    return start_visitor(site_acme)


@pytest.fixture
def visitor_gina(site_globex: Site) -> VisitorIdentity:
    """A visitor on Globex's site."""
    return start_visitor(site_globex)


def visitor_socket(site: Site, *, origin: str | None = ACME_ORIGIN) -> WebsocketCommunicator:
    """A visitor socket to a site's endpoint, from a page on `origin`."""
    headers = [(b"origin", origin.encode())] if origin else []
    return WebsocketCommunicator(
        application, f"/ws/visitor/{site.public_key}/", headers=headers, subprotocols=["parley.v1"]
    )


async def connect_visitor(
    visitor: VisitorIdentity, *, origin: str = ACME_ORIGIN, last_seq: int = 0
) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """Open a visitor socket, say hello, and return it with its `ready` frame."""
    communicator = visitor_socket(visitor.site, origin=origin)
    connected, subprotocol = await communicator.connect()
    assert connected
    assert subprotocol == "parley.v1"
    await communicator.send_json_to({"type": "hello", "token": visitor.token, "last_seq": last_seq})
    ready = await communicator.receive_json_from()
    assert ready["type"] == "ready", ready
    return communicator, ready


async def agent_cookie(user: User) -> bytes:
    """The session cookie of a logged-in console user."""
    client = Client()
    await sync_to_async(client.force_login)(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def agent_socket(user: User | None, *, origin: str = CONSOLE_ORIGIN) -> WebsocketCommunicator:
    """An agent socket with the user's session cookie (anonymous when None)."""
    headers = [(b"origin", origin.encode())]
    if user is not None:
        headers.append((b"cookie", await agent_cookie(user)))
    return WebsocketCommunicator(application, "/ws/agent/", headers=headers, subprotocols=["parley.v1"])


async def connect_agent(user: User) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """Open an agent socket and return it with its `ready` frame."""
    communicator = await agent_socket(user)
    connected, _ = await communicator.connect()
    assert connected
    ready = await communicator.receive_json_from()
    assert ready["type"] == "ready", ready
    return communicator, ready


@pytest.fixture
def layer_groups() -> Any:
    """The in-memory channel layer, to look at which groups hold members."""
    return get_channel_layer()

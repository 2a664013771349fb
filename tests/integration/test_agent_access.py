"""Access that ends across processes: a change made through one daphne closes the socket on the other."""

import asyncio
import re
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest

from tests.integration.clients import AgentClient, console_session_cookie
from tests.integration.test_two_processes import Cluster, cluster

__all__ = ["cluster"]

pytestmark = pytest.mark.timeout(180)

AGENT = "ines"
AGENT_PASSWORD = "ines-password-1"


class FormFields(HTMLParser):
    """The fields a browser would post from a page's form: inputs, checked boxes, selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Collect one field's value as the browser would."""
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name")
        if tag == "input" and name and "disabled" not in attributes:
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            if kind not in {"submit", "button", "file"}:
                self.fields.append((name, attributes.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attributes:
            self.fields.append((self.select, attributes.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        """Leave a select."""
        if tag == "select":
            self.select = None


def create_agent(cluster: Cluster) -> int:
    """A second agent of the demo site, created with the deployment's own settings; its user id."""
    output = cluster.deployment.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from server.sites.models import Site, SiteMembership; "
        f"user = User.objects.create_user(username={AGENT!r}, password={AGENT_PASSWORD!r}); "
        f"SiteMembership.objects.create(user=user, site=Site.objects.get(public_key={cluster.site_key!r})); "
        "print('user', user.pk)",
    )
    match = re.search(r"user (\d+)", output)
    assert match, output
    return int(match[1])


def deactivate_through_the_admin(server_url: str, *, cookie: str, user_id: int) -> None:
    """Untick "Active" on the user's admin page and save it, as an administrator's browser would."""
    url = f"{server_url}/admin/auth/user/{user_id}/change/"
    headers = {"Cookie": cookie, "Referer": url}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        page = response.read().decode()
    parser = FormFields()
    parser.feed(page)
    fields = [(name, value) for name, value in parser.fields if name != "is_active"]
    assert ("username", AGENT) in fields, fields
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.url.endswith("/admin/auth/user/"), response.url  # saved: back to the list


async def test_an_agent_deactivated_through_one_process_loses_its_socket_on_the_other_within_a_second(
    cluster: Cluster,
) -> None:
    """Ines holds a socket on process 2; the admin on process 1 deactivates her → 4401 within 1 s."""
    user_id = await asyncio.to_thread(create_agent, cluster)
    ines_cookie = await asyncio.to_thread(console_session_cookie, cluster.url_2, AGENT, AGENT_PASSWORD)
    ines = AgentClient(cookie=ines_cookie, origin=cluster.deployment.server_url)
    await ines.connect(cluster.url_2)
    admin_cookie = await asyncio.to_thread(
        console_session_cookie, cluster.url_1, cluster.deployment.username, cluster.deployment.password
    )
    await asyncio.to_thread(deactivate_through_the_admin, cluster.url_1, cookie=admin_cookie, user_id=user_id)
    saved_at = time.monotonic()
    await ines.wait_until(lambda: ines.socket is None, within=1.0)
    assert time.monotonic() - saved_at < 1.0
    assert ines.close_codes == [4401]
    assert [error["code"] for error in ines.errors] == ["not_authenticated"]

"""The console pages: login required, a strict Content-Security-Policy, the start config as JSON."""

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_console_sends_an_anonymous_visitor_to_log_in(client: Client):
    """Without a session the console redirects to its login page, which runs under the same policy."""
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=")
    login = client.get("/console/login/")
    assert login.status_code == 200
    assert "script-src 'self'" in login["Content-Security-Policy"]


def test_the_console_page_carries_its_config_and_static_files(client: Client, agent_bob):
    """A logged-in agent gets the page, the built console (static console/) and its config as JSON."""
    client.force_login(agent_bob)
    response = client.get("/console/")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert "/static/console/console.js" in page
    assert "/static/console/console.css" in page
    config_json = re.search(r'<script id="[^"]+" type="application/json">(.*?)</script>', page, re.S)
    assert config_json is not None
    config = json.loads(config_json.group(1))
    assert (config["agent"]["id"], config["socket_path"]) == (agent_bob.pk, "/ws/agent/")
    assert config["logout_url"] == "/console/logout/"
    assert (config["account_url"], config["owner_url"]) == ("/accounts/email/", "")


def test_an_owner_s_console_links_to_the_owner_pages(client: Client, owner_olga):
    """The config names the owner pages for an owner of a site (the top bar shows "Site settings")."""
    client.force_login(owner_olga)
    page = client.get("/console/").content.decode()
    config_json = re.search(r'<script id="[^"]+" type="application/json">(.*?)</script>', page, re.S)
    assert config_json is not None
    assert json.loads(config_json.group(1))["owner_url"] == "/owner/"

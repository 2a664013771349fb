"""Rows a benchmark needs in Parley's database before it measures: visitors, agents, empty inboxes.

Each runs Python in `manage.py shell` with the deployment's settings, so thousands of rows take a second
or two and no server process has to be running.
"""

from tests.processes import DemoDeployment


def django_shell(deployment: DemoDeployment, code: str) -> list[str]:
    """Run Python in `manage.py shell` with the deployment's settings; return its output lines."""
    return deployment.manage("shell", "-v", "0", "-c", code).splitlines()


def create_visitor_tokens(
    deployment: DemoDeployment, *, site_key: str, count: int, messages: int = 0, seen_ago: float = 0.0
) -> list[str]:
    """Create `count` visitors, each with an open conversation of `messages` messages; return their tokens.

    `seen_ago` dates their last visit: 0 keeps them "just seen" for the next hour (a hello writes nothing),
    a day makes every first hello record the visit (Parley writes last_seen_at at most once a minute).
    """
    code = f"""
import uuid
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from server.conversations.models import Conversation, Message, Visitor
from server.conversations.services.visitors import do_start_visitor_session
from server.sites.models import Site

site = Site.objects.get(public_key={site_key!r})
with transaction.atomic():
    sessions = [
        do_start_visitor_session(
            site=site, visitor_token=None, page_url="http://localhost/bench", user_agent="bench"
        )
        for _ in range({count})
    ]
    ids = [session.visitor_id for session in sessions]
    if {messages}:
        # Bulk rows rather than do_post_visitor_messages: thousands of histories in a second or two.
        conversations = Conversation.objects.bulk_create(
            [Conversation(site=site, visitor_id=visitor_id, last_seq={messages}) for visitor_id in ids],
            batch_size=500,
        )
        stored = Message.objects.bulk_create(
            [
                Message(
                    conversation=conversation,
                    seq=seq,
                    author=Message.Author.VISITOR,
                    body=f"History message {{seq}}",
                    client_id=uuid.uuid4().hex,
                )
                for conversation in conversations
                for seq in range(1, {messages} + 1)
            ],
            batch_size=500,
        )
        for conversation, last in zip(conversations, stored[{messages} - 1 :: {messages}]):
            conversation.last_message = last
        Conversation.objects.bulk_update(conversations, ["last_message"], batch_size=500)
    # Dated ahead when "just seen", so no hello of the run finds the visit a minute old.
    seen = timezone.now() + (timedelta(seconds=-{seen_ago}) if {seen_ago} else timedelta(hours=1))
    for start in range(0, len(ids), 500):
        Visitor.objects.filter(pk__in=ids[start : start + 500]).update(last_seen_at=seen)
for session in sessions:
    print("TOKEN", session.visitor_token)
"""
    tokens = [line.split(" ", 1)[1] for line in django_shell(deployment, code) if line.startswith("TOKEN ")]
    if len(tokens) != count:
        raise RuntimeError(f"asked for {count} visitor tokens, got {len(tokens)}")
    return tokens


def create_agents(deployment: DemoDeployment, *, site_key: str, count: int) -> list[str]:
    """Create `count` agents of the site, each logged in once; return their session cookies."""
    code = f"""
from django.contrib.auth.models import User
from django.test import Client
from server.sites.models import Site
from server.sites.services import do_add_site_member

site = Site.objects.get(public_key={site_key!r})
for index in range({count}):
    user, _ = User.objects.get_or_create(username=f"bench-agent-{{index}}@example.com")
    # No password: the session is created directly, and hashing 50 passwords would take seconds.
    user.set_unusable_password()
    user.save()
    do_add_site_member(site=site, user=user)
    client = Client()
    client.force_login(user)
    print("SESSION", client.cookies["sessionid"].value)
"""
    sessions = [
        line.split(" ", 1)[1] for line in django_shell(deployment, code) if line.startswith("SESSION ")
    ]
    if len(sessions) != count:
        raise RuntimeError(f"asked for {count} agent sessions, got {len(sessions)}")
    return [f"sessionid={session}" for session in sessions]


def clear_conversations(deployment: DemoDeployment, *, site_key: str) -> None:
    """Delete the site's conversations, so each topology starts with the same (empty) inboxes."""
    django_shell(
        deployment,
        "from server.conversations.models import Conversation\n"
        f"Conversation.objects.filter(site__public_key={site_key!r}).delete()",
    )

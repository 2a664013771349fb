"""The delivery model with the conversation lifecycle: sends, retries, drops and resumes mixed with assign,
resolve, reopen, the reopen window running out and reloads. No acknowledged message is ever missing from,
or doubled in, what either side shows, across all of a visitor's conversations."""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from server.conversations.models import Activity, Conversation, Message
from server.conversations.selectors.history import visitor_ready, visitor_visit
from server.conversations.services.messages import do_post_agent_message, do_post_visitor_message
from server.conversations.services.workflow import (
    do_assign_conversation,
    do_reopen_conversation,
    do_resolve_conversation,
)
from server.errors import ParleyError
from server.protocol.wire import message_wire
from server.sites.models import Site
from tests.conftest import start_visitor
from tests.conversations.test_delivery_model import wire_messages_after

pytestmark = pytest.mark.django_db

Key = tuple[uuid.UUID, int]  # (conversation, seq)


@dataclass
class Thread:
    """One client's view of a visitor's conversations: messages by conversation and seq, and an outbox of
    (conversation it was typed in or None for the visitor's latest, body) by client_id."""

    name: str
    held: dict[uuid.UUID, dict[int, dict[str, Any]]] = field(default_factory=dict)
    outbox: dict[str, tuple[uuid.UUID | None, str]] = field(default_factory=dict)
    connected: bool = True

    def last_seq(self, conversation_id: uuid.UUID) -> int:
        """The highest seq held of one conversation."""
        return max(self.held.get(conversation_id, {}), default=0)

    def receive(self, message: dict[str, Any]) -> None:
        """Keep a message once by (conversation, seq); a gap is filled by syncing that conversation."""
        conversation_id = uuid.UUID(message["conversation_id"])
        held = self.held.setdefault(conversation_id, {})
        if message["seq"] in held:
            assert held[message["seq"]]["id"] == message["id"]
            return
        if message["seq"] > self.last_seq(conversation_id) + 1:
            self.sync(conversation_id)
        held.setdefault(message["seq"], message)

    def sync(self, conversation_id: uuid.UUID) -> None:
        """Fetch every message of a conversation after the last seq held (resume, gap fill)."""
        while True:
            messages, has_more = wire_messages_after(
                conversation_id=conversation_id, after_seq=self.last_seq(conversation_id)
            )
            for message in messages:
                self.held.setdefault(conversation_id, {}).setdefault(message["seq"], message)
            if not has_more:
                return


def lifecycle_machine(site: Site, agent: User, colleague: User) -> type[RuleBasedStateMachine]:
    """The state machine class, bound to a site and two of its agents made by the test's fixtures."""

    class LifecycleDelivery(RuleBasedStateMachine):
        """A visitor and an agent exchange messages while the agent assigns, resolves and reopens."""

        def __init__(self) -> None:
            super().__init__()
            self.visitor_id = uuid.UUID(start_visitor(site).visitor_id)
            self.visitor = Thread("visitor")
            self.agent = Thread("agent")
            # The conversation the agent has open (the visitor's latest when it last looked).
            self.open_id: uuid.UUID | None = None
            self.sent: dict[str, str] = {}  # client_id → body of every send not refused
            self.acknowledged: set[str] = set()

        def conversations(self) -> list[uuid.UUID]:
            """The visitor's conversations, oldest first."""
            return list(
                Conversation.objects.filter(visitor_id=self.visitor_id)
                .order_by("created_at")
                .values_list("id", flat=True)
            )

        def post(self, party: Thread, client_id: str) -> dict[str, Any] | None:
            """Send a pending message; its stored wire shape, or None when the server refused it for good."""
            conversation_id, body = party.outbox[client_id]
            if party is self.visitor:
                posted = do_post_visitor_message(visitor_id=self.visitor_id, client_id=client_id, body=body)
            else:
                assert conversation_id is not None
                try:
                    posted = do_post_agent_message(
                        agent=agent, conversation_id=conversation_id, client_id=client_id, body=body
                    )
                except ParleyError as refused:
                    code = refused.code
                else:
                    return message_wire(posted.message).model_dump(mode="json")
                # The visitor has moved on to a newer conversation: the console takes the reply back.
                assert code == "conversation_superseded"
                party.outbox.pop(client_id)
                self.sent.pop(client_id)
                return None
            return message_wire(posted.message).model_dump(mode="json")

        def acknowledge(self, party: Thread, client_id: str, message: dict[str, Any] | None) -> None:
            if message is None:
                return
            party.outbox.pop(client_id, None)
            self.acknowledged.add(client_id)
            party.receive(message)

        def flush(self, party: Thread) -> None:
            for client_id in sorted(party.outbox):
                if client_id in party.outbox:
                    self.acknowledge(party, client_id, self.post(party, client_id))

        @initialize()
        def first_message(self) -> None:
            """The visitor's first message starts a conversation, which the agent opens."""
            self.send(who="visitor", body="hello", ack_lost=False)
            self.agent_opens_latest()

        @rule(
            who=st.sampled_from(["visitor", "agent"]),
            body=st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=6),
            ack_lost=st.booleans(),
        )
        def send(self, who: str, body: str, ack_lost: bool) -> None:
            """Type a message; the server stores it if connected; its ack may be lost on the way back."""
            party = self.visitor if who == "visitor" else self.agent
            if party is self.agent and self.open_id is None:
                return  # an agent answers a conversation it has open
            client_id = uuid.uuid4().hex
            party.outbox[client_id] = (self.open_id if party is self.agent else None, body)
            self.sent[client_id] = body
            if party.connected:
                message = self.post(party, client_id)
                if not ack_lost:
                    self.acknowledge(party, client_id, message)

        @rule(who=st.sampled_from(["visitor", "agent"]), data=st.data())
        def retry(self, who: str, data: st.DataObject) -> None:
            """Send a pending message again with the same client_id."""
            party = self.visitor if who == "visitor" else self.agent
            if party.connected and party.outbox:
                client_id = data.draw(st.sampled_from(sorted(party.outbox)))
                self.acknowledge(party, client_id, self.post(party, client_id))

        @rule(who=st.sampled_from(["visitor", "agent"]))
        def drop(self, who: str) -> None:
            """The connection breaks."""
            (self.visitor if who == "visitor" else self.agent).connected = False

        @rule(who=st.sampled_from(["visitor", "agent"]))
        def resume(self, who: str) -> None:
            """Reconnect: catch up on every conversation known, then flush the outbox."""
            party = self.visitor if who == "visitor" else self.agent
            party.connected = True
            if party is self.visitor:
                self.visitor_hello(last_seq_of=self.latest_held())
                self.visitor_shows_everything_stored()
            else:
                for conversation_id in list(party.held):
                    party.sync(conversation_id)
            self.flush(party)

        def visitor_shows_everything_stored(self) -> None:
            """Right after its hello, the visitor shows every stored message of all its conversations."""
            stored = [m["id"] for cid in self.conversations() for m in self.stored(cid)]
            shown = [
                self.visitor.held[cid][seq]["id"]
                for cid in self.conversations()
                for seq in sorted(self.visitor.held.get(cid, {}))
            ]
            assert shown == stored

        def stored(self, conversation_id: uuid.UUID) -> list[dict[str, Any]]:
            """A conversation's stored messages as clients receive them."""
            return wire_messages_after(conversation_id=conversation_id, after_seq=0)[0]

        @rule(who=st.sampled_from(["visitor", "agent"]))
        def reload(self, who: str) -> None:
            """A page reload: what was shown is gone (the outbox is kept), the thread is read again."""
            party = self.visitor if who == "visitor" else self.agent
            party.held.clear()
            party.connected = True
            if party is self.visitor:
                self.visitor_hello(last_seq_of=None)
                self.visitor_shows_everything_stored()
            else:
                self.agent_opens_latest()
            self.flush(party)

        def latest_held(self) -> uuid.UUID | None:
            """The visitor's latest conversation it holds messages of (hello.conversation_id)."""
            known = [cid for cid in self.conversations() if self.visitor.held.get(cid)]
            return known[-1] if known else None

        def visitor_hello(self, *, last_seq_of: uuid.UUID | None) -> None:
            """What the widget does on hello: ready (the latest conversation after the seq it holds of the
            conversation it names), then each earlier conversation by previous_id, synced whole."""
            visit = visitor_visit(site_id=site.pk, visitor_id=self.visitor_id)
            assert visit is not None
            last_seq = self.visitor.last_seq(last_seq_of) if last_seq_of is not None else 0
            ready = visitor_ready(
                visitor_id=self.visitor_id, visit=visit, last_seq=last_seq, conversation_id=last_seq_of
            )
            for message in ready.page.messages:
                self.visitor.receive(message_wire(message).model_dump(mode="json"))
            if ready.conversation_id is not None and ready.page.has_more:
                self.visitor.sync(ready.conversation_id)
            previous = visit.previous_id
            while previous is not None:
                self.visitor.sync(previous)
                before = visitor_visit_previous(previous)
                previous = before

        @rule()
        def agent_opens_latest(self) -> None:
            """The agent opens the visitor's latest conversation from its inbox."""
            conversations = self.conversations()
            if conversations and self.agent.connected:
                self.open_id = conversations[-1]
                self.agent.sync(self.open_id)

        @precondition(lambda self: self.open_id is not None)
        @rule(assignee=st.sampled_from(["agent", "colleague", None]))
        def assign(self, assignee: str | None) -> None:
            """Assign or unassign: agent-only, never a message in the seq stream."""
            assert self.open_id is not None
            if not self.agent.connected:
                return
            users = {"agent": agent, "colleague": colleague, None: None}
            before = Message.objects.filter(conversation__visitor_id=self.visitor_id).count()
            target = users[assignee]
            do_assign_conversation(
                agent=agent, conversation_id=self.open_id, assignee_id=target.pk if target else None
            )
            assert Message.objects.filter(conversation__visitor_id=self.visitor_id).count() == before

        @precondition(lambda self: self.open_id is not None)
        @rule(window_runs_out=st.booleans())
        def resolve(self, window_runs_out: bool) -> None:
            """The agent resolves the conversation it has open; maybe the reopen window then runs out."""
            assert self.open_id is not None
            if self.agent.connected:
                do_resolve_conversation(agent=agent, conversation_id=self.open_id)
            if window_runs_out:
                long_ago = timezone.now() - timedelta(seconds=django_settings.PARLEY_REOPEN_WINDOW + 1)
                Conversation.objects.filter(visitor_id=self.visitor_id, status="resolved").update(
                    resolved_at=long_ago
                )

        @precondition(lambda self: self.open_id is not None)
        @rule()
        def reopen(self) -> None:
            """The agent reopens it; refused when the visitor has started a newer one."""
            assert self.open_id is not None
            if not self.agent.connected:
                return
            try:
                do_reopen_conversation(agent=agent, conversation_id=self.open_id)
            except ParleyError as refused:
                code = refused.code
            else:
                return
            assert code == "conversation_superseded"
            assert self.conversations()[-1] != self.open_id

        @rule(who=st.sampled_from(["visitor", "agent"]), data=st.data())
        def deliver(self, who: str, data: st.DataObject) -> None:
            """The transport delivers one stored message: maybe late, maybe again, others maybe never."""
            party = self.visitor if who == "visitor" else self.agent
            stored = [
                m
                for cid in self.conversations()
                for m in wire_messages_after(conversation_id=cid, after_seq=0)[0]
            ]
            if party.connected and stored:
                party.receive(data.draw(st.sampled_from(stored)))

        @invariant()
        def storage_is_gapless_unique_and_one_conversation_is_open(self) -> None:
            """Each conversation's seqs are 1..n; no client_id is stored twice; at most one is open."""
            conversations = Conversation.objects.filter(visitor_id=self.visitor_id)
            assert conversations.filter(status="open").count() <= 1
            client_ids = []
            for conversation in conversations:
                rows = list(conversation.messages.values_list("seq", "client_id"))
                assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))
                assert conversation.last_seq == len(rows)
                client_ids.extend(client_id for _, client_id in rows if client_id is not None)
            assert len(client_ids) == len(set(client_ids))

        @invariant()
        def clients_hold_gapless_prefixes_of_storage(self) -> None:
            """What a client shows of a conversation is seq 1..k, each the stored message, never doubled."""
            for party in (self.visitor, self.agent):
                for conversation_id, held in party.held.items():
                    stored = {
                        m["seq"]: m
                        for m in wire_messages_after(conversation_id=conversation_id, after_seq=0)[0]
                    }
                    assert sorted(held) == list(range(1, len(held) + 1))
                    for seq, message in held.items():
                        assert stored[seq]["id"] == message["id"]

        @invariant()
        def acknowledged_messages_are_stored(self) -> None:
            """Every acknowledged send is stored once, with what was typed."""
            stored = dict(
                Message.objects.filter(
                    conversation__visitor_id=self.visitor_id, client_id__isnull=False
                ).values_list("client_id", "body")
            )
            for client_id in self.acknowledged:
                assert stored[client_id] == self.sent[client_id]

        def teardown(self) -> None:
            """Once everyone is back, all that was sent is stored once, and both show all of it in order:
            the visitor every conversation as one thread, the agent every conversation it held."""
            self.resume("visitor")
            self.agent_opens_latest()
            self.resume("agent")
            self.resume("visitor")
            for party in (self.visitor, self.agent):
                for conversation_id in list(party.held):
                    party.sync(conversation_id)
            conversations = self.conversations()
            stored = [
                m for cid in conversations for m in wire_messages_after(conversation_id=cid, after_seq=0)[0]
            ]
            typed = [m for m in stored if m["client_id"] is not None]
            assert sorted(m["client_id"] for m in typed) == sorted(self.sent)
            assert all(m["body"] == self.sent[m["client_id"]] for m in typed)
            # The visitor shows every conversation, oldest first, each whole: one continuous thread.
            shown = [
                self.visitor.held[cid][seq]["id"]
                for cid in conversations
                for seq in sorted(self.visitor.held.get(cid, {}))
            ]
            assert shown == [m["id"] for m in stored]
            for conversation_id, held in self.agent.held.items():
                expected = wire_messages_after(conversation_id=conversation_id, after_seq=0)[0]
                assert [held[seq]["id"] for seq in sorted(held)] == [m["id"] for m in expected]
            assert Activity.objects.exclude(kind__in=["assigned", "unassigned"]).count() == 0

    return LifecycleDelivery


def visitor_visit_previous(conversation_id: uuid.UUID) -> uuid.UUID | None:
    """The conversation before one, as a client learns it: `previous_id` of the conversation it syncs."""
    conversation = Conversation.objects.get(pk=conversation_id)
    before = (
        Conversation.objects.filter(
            visitor_id=conversation.visitor_id, created_at__lt=conversation.created_at
        )
        .order_by("-created_at")
        .values_list("id", flat=True)
        .first()
    )
    return before


def test_the_lifecycle_never_loses_or_doubles_an_acknowledged_message(
    site_acme, agent_bob, django_user_model
):
    """Assign, resolve, reopen, the window running out and reloads keep delivery exact on both sides."""
    colleague = django_user_model.objects.create_user(username="dana", password="dana-password-1")
    from server.sites.models import SiteMembership
    from server.sites.services import do_add_site_member

    do_add_site_member(site=site_acme, user=colleague, role=SiteMembership.Role.AGENT)
    run_state_machine_as_test(
        lifecycle_machine(site_acme, agent_bob, colleague),
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )

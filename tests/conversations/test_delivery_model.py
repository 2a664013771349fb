"""A Hypothesis state machine: any mix of send, retry, drop, lossy delivery and resume stays exact."""

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from server.conversations.models import Message
from server.conversations.selectors.history import messages_after
from server.conversations.services.messages import do_post_agent_message, do_post_visitor_message
from server.protocol.wire import message_wire
from server.sites.models import Site
from tests.conftest import start_visitor

pytestmark = pytest.mark.django_db


def wire_messages_after(*, conversation_id: uuid.UUID, after_seq: int) -> tuple[list[dict[str, Any]], bool]:
    """The messages after a seq as clients receive them (their wire shape), and whether more follow."""
    page = messages_after(conversation_id=conversation_id, after_seq=after_seq)
    return [message_wire(message).model_dump(mode="json") for message in page.messages], page.has_more


@dataclass
class Party:
    """One client as the widget or console behaves: messages by seq, an outbox, a connection."""

    name: str
    held: dict[int, dict[str, Any]] = field(default_factory=dict)
    outbox: dict[str, str] = field(default_factory=dict)
    connected: bool = True

    @property
    def last_seq(self) -> int:
        """The highest seq held."""
        return max(self.held, default=0)

    def receive(self, message: dict[str, Any], conversation_id: uuid.UUID) -> None:
        """Keep a message once by seq; a gap is filled by syncing from the last seq held."""
        if message["seq"] in self.held:
            assert self.held[message["seq"]]["id"] == message["id"]
            return
        if message["seq"] > self.last_seq + 1:
            self.sync(conversation_id)
        self.held.setdefault(message["seq"], message)

    def sync(self, conversation_id: uuid.UUID) -> None:
        """Fetch every message after the last seq held (resume or gap fill)."""
        messages, _ = wire_messages_after(conversation_id=conversation_id, after_seq=self.last_seq)
        for message in messages:
            self.held.setdefault(message["seq"], message)


def delivery_machine(site: Site, agent: User) -> type[RuleBasedStateMachine]:
    """The state machine class, bound to a site and an agent made by the test's fixtures."""

    class Delivery(RuleBasedStateMachine):
        """A visitor and an agent exchange messages over an unreliable transport."""

        def __init__(self) -> None:
            super().__init__()
            self.visitor_id = uuid.UUID(start_visitor(site).visitor_id)
            self.conversation_id: uuid.UUID | None = None
            self.parties = {"visitor": Party("visitor"), "agent": Party("agent")}
            self.sent_bodies: dict[str, str] = {}  # client_id → body, everything any party ever sent

        def post(self, party: Party, client_id: str) -> dict[str, Any]:
            body = party.outbox[client_id]
            if party.name == "visitor":
                posted = do_post_visitor_message(visitor_id=self.visitor_id, client_id=client_id, body=body)
                self.conversation_id = posted.conversation_id
            else:
                assert self.conversation_id is not None
                posted = do_post_agent_message(
                    agent=agent, conversation_id=self.conversation_id, client_id=client_id, body=body
                )
            return message_wire(posted.message).model_dump(mode="json")

        def acknowledge(self, party: Party, client_id: str, message: dict[str, Any]) -> None:
            party.outbox.pop(client_id, None)
            assert self.conversation_id is not None
            party.receive(message, self.conversation_id)

        @rule(
            who=st.sampled_from(["visitor", "agent"]),
            # Storable text: NUL and lone surrogates are refused (services/test_messages.py covers that).
            body=st.text(
                st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]),
                min_size=1,
                max_size=12,
            ).filter(str.strip),
            ack_lost=st.booleans(),
        )
        def send(self, who: str, body: str, ack_lost: bool) -> None:
            """Type a message; the server stores it if connected; its ack may be lost on the way back."""
            party = self.parties[who]
            if who == "agent" and self.conversation_id is None:
                return  # an agent answers an existing conversation
            client_id = uuid.uuid4().hex
            party.outbox[client_id] = body
            self.sent_bodies[client_id] = body.strip()
            if party.connected:
                message = self.post(party, client_id)
                if not ack_lost:
                    self.acknowledge(party, client_id, message)

        @rule(who=st.sampled_from(["visitor", "agent"]), data=st.data())
        def retry(self, who: str, data: st.DataObject) -> None:
            """Send a pending message again with the same client_id."""
            party = self.parties[who]
            if not party.connected or not party.outbox:
                return
            client_id = data.draw(st.sampled_from(sorted(party.outbox)))
            self.acknowledge(party, client_id, self.post(party, client_id))

        @rule(who=st.sampled_from(["visitor", "agent"]))
        def drop(self, who: str) -> None:
            """The connection breaks."""
            self.parties[who].connected = False

        @rule(who=st.sampled_from(["visitor", "agent"]))
        def resume(self, who: str) -> None:
            """Reconnect: fetch what was missed after the last seq, then flush the outbox."""
            party = self.parties[who]
            party.connected = True
            if self.conversation_id is not None:
                party.sync(self.conversation_id)
            for client_id in sorted(party.outbox):
                if party.name == "agent" and self.conversation_id is None:
                    break
                self.acknowledge(party, client_id, self.post(party, client_id))

        @precondition(lambda self: self.conversation_id is not None)
        @rule(who=st.sampled_from(["visitor", "agent"]), data=st.data())
        def deliver(self, who: str, data: st.DataObject) -> None:
            """The transport delivers one stored message: maybe late, maybe again, others maybe never."""
            party = self.parties[who]
            assert self.conversation_id is not None
            stored, _ = wire_messages_after(conversation_id=self.conversation_id, after_seq=0)
            if party.connected and stored:
                party.receive(data.draw(st.sampled_from(stored)), self.conversation_id)

        @invariant()
        def storage_is_gapless_and_unique(self) -> None:
            """Stored seqs are 1..n with no gap, and no client_id is stored twice."""
            if self.conversation_id is None:
                return
            rows = list(
                Message.objects.filter(conversation_id=self.conversation_id).values_list("seq", "client_id")
            )
            assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))
            client_ids = [client_id for _, client_id in rows]
            assert len(client_ids) == len(set(client_ids))

        @invariant()
        def clients_hold_a_gapless_prefix_of_storage(self) -> None:
            """What a client shows is seq 1..k, each the stored message, never a duplicate or a hole."""
            if self.conversation_id is None:
                return
            stored = {
                m["seq"]: m for m in wire_messages_after(conversation_id=self.conversation_id, after_seq=0)[0]
            }
            for party in self.parties.values():
                assert sorted(party.held) == list(range(1, len(party.held) + 1))
                for seq, message in party.held.items():
                    assert stored[seq]["id"] == message["id"]

        def teardown(self) -> None:
            """Once everyone is back, all that was sent is stored once and everyone holds it all, in order."""
            for who in ("visitor", "agent"):
                self.resume(who)
            if self.conversation_id is None:
                return
            for party in self.parties.values():
                party.sync(self.conversation_id)  # what the others flushed after this one resumed
            stored, _ = wire_messages_after(conversation_id=self.conversation_id, after_seq=0)
            # Every message anyone typed is stored exactly once, with what was typed.
            assert sorted(m["client_id"] for m in stored) == sorted(self.sent_bodies)
            assert all(m["body"] == self.sent_bodies[m["client_id"]] for m in stored)
            for party in self.parties.values():
                assert [party.held[seq]["id"] for seq in sorted(party.held)] == [m["id"] for m in stored]

    return Delivery


def test_any_interleaving_of_send_retry_drop_and_resume_keeps_delivery_exact(site_acme, agent_bob):
    """No gap, no duplicate, order by seq, for visitor and agent alike, whatever happens in between."""
    run_state_machine_as_test(
        delivery_machine(site_acme, agent_bob),
        settings=settings(
            max_examples=60,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )

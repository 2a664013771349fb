"""The frames a socket answers with, built from what services and selectors return (via protocol.wire)."""

import uuid
from collections.abc import Mapping, Sequence

from server.conversations.models import Activity, CannedReply, Conversation
from server.conversations.records import MessagePage, SiteMember
from server.conversations.selectors.history import VisitorReady
from server.conversations.selectors.inbox import AgentInbox
from server.conversations.selectors.inbox_views import InboxPage
from server.conversations.selectors.visitors import VisitorDetail
from server.conversations.services.conversations import OpenedConversation
from server.conversations.services.messages import PostedMessage
from server.protocol import frames, objects
from server.protocol.objects import construct
from server.protocol.wire import (
    activity_wire,
    agent_display_name,
    canned_wire,
    conversation_fields,
    conversation_state,
    conversation_summary,
    inbox_counts_wire,
    message_wire,
    past_conversation_wire,
    preferences_wire,
    search_match_wire,
    site_agent_wire,
    site_wire,
    visitor_detail_wire,
)


def visitor_ready_frame(ready: VisitorReady, *, availability: str) -> frames.VisitorReady:
    """The `ready` frame for a visitor socket: its latest conversation, what it has not seen, who is there."""
    conversation = None
    if ready.conversation_id is not None:
        conversation = conversation_fields(
            conversation_id=ready.conversation_id,
            status=ready.status,
            last_seq=ready.last_seq,
            previous_id=ready.previous_id,
            visitor_last_read_seq=ready.visitor_last_read_seq,
            agent_last_read_seq=ready.agent_last_read_seq,
        )
    return construct(
        frames.VisitorReady,
        type="ready",
        visitor=construct(frames.VisitorRef, id=ready.visitor_id),
        conversation=conversation,
        messages=[message_wire(message) for message in ready.page.messages],
        has_more=ready.page.has_more,
        availability=availability,
    )


def agent_ready_frame(
    inbox: AgentInbox,
    *,
    agents: list[SiteMember],
    presence: Mapping[int, str],
    preferences: Mapping[str, bool],
    canned: Sequence[CannedReply] = (),
) -> frames.AgentReady:
    """The `ready` frame for an agent socket: the agent's sites, inbox, colleagues (connected or not),
    canned replies and notification preferences."""
    return construct(
        frames.AgentReady,
        type="ready",
        agent=construct(frames.AgentInfo, id=int(inbox.user.pk), name=agent_display_name(inbox.user)),
        sites=[site_wire(site) for site in inbox.sites],
        inbox=page_rows(inbox.first_page),
        inbox_next=inbox.first_page.next,
        counts=[inbox_counts_wire(counts) for counts in inbox.counts],
        agents=[site_agent_wire(member) for member in agents],
        canned=[canned_wire(reply) for reply in canned],
        presence=[
            construct(frames.AgentPresence, agent_id=agent_id, status=status)
            for agent_id, status in sorted(presence.items())
        ],
        preferences=preferences_wire(preferences),
    )


def page_rows(page: InboxPage) -> list[objects.ConversationSummary]:
    """A page's conversations as inbox rows, with the agent's read marks."""
    return [
        conversation_summary(conversation, last_read_seq=page.last_read_seqs.get(conversation.pk, 0))
        for conversation in page.conversations
    ]


def inbox_page_frame(page: InboxPage) -> frames.InboxPage:
    """The `inbox.page` frame answering an `inbox.query`."""
    return construct(
        frames.InboxPage,
        type="inbox.page",
        view=page.query.view,
        site_id=page.query.site_id,
        search=page.query.search,
        before=page.query.before,
        conversations=page_rows(page),
        matches=[search_match_wire(match) for match in page.matches],
        next=page.next,
    )


def history_frame(
    *, conversation_id: uuid.UUID, page: MessagePage, previous_id: uuid.UUID | None = None
) -> frames.History:
    """A `history` frame: a page of a conversation's messages (a visitor's: with the one before)."""
    return construct(
        frames.History,
        type="history",
        conversation_id=conversation_id,
        messages=[message_wire(message) for message in page.messages],
        has_more=page.has_more,
        previous_id=previous_id,
    )


def conversation_opened_frame(opened: OpenedConversation) -> frames.ConversationOpened:
    """The `conversation.opened` frame: the conversation's inbox row with the agent's mark, and history."""
    return construct(
        frames.ConversationOpened,
        type="conversation.opened",
        conversation=conversation_summary(opened.conversation, last_read_seq=opened.last_read_seq),
        messages=[message_wire(message) for message in opened.page.messages],
        has_more=opened.page.has_more,
        activity=[activity_wire(line) for line in opened.activity],
    )


def message_ack_frame(*, client_id: str, posted: PostedMessage) -> frames.MessageAck:
    """The `message.ack` frame answering a sender with its stored message."""
    return construct(
        frames.MessageAck, type="message.ack", client_id=client_id, message=message_wire(posted.message)
    )


def inbox_row_frame(conversation: Conversation) -> frames.InboxUpdate:
    """A conversation's `inbox.update` for the agent who asked for a change that changed nothing."""
    return construct(
        frames.InboxUpdate,
        type="inbox.update",
        conversation=conversation_summary(conversation, last_read_seq=None),
        previous=conversation_state(status=conversation.status, assignee_id=conversation.assignee_id),
    )


def visitor_detail_frame(detail: VisitorDetail) -> frames.VisitorDetailFrame:
    """The `visitor.detail` frame answering `visitor.get`."""
    return construct(
        frames.VisitorDetailFrame,
        type="visitor.detail",
        visitor=visitor_detail_wire(detail.visitor, browser=detail.browser, os=detail.os),
        conversations=[past_conversation_wire(conversation) for conversation in detail.conversations],
    )


def activity_new_frame(activity: Activity) -> frames.ActivityNew:
    """The `activity.new` frame for one agent-only line (a note answered to its sender)."""
    return construct(frames.ActivityNew, type="activity.new", activity=activity_wire(activity))


def preferences_frame(preferences: Mapping[str, bool]) -> frames.PreferencesUpdate:
    """The `preferences` frame: an agent's notification preferences."""
    return construct(frames.PreferencesUpdate, type="preferences", preferences=preferences_wire(preferences))

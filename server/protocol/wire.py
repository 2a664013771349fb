"""Stored objects as the protocol's objects (docs/protocol.md, "Objects"): built here, from trusted data."""

import uuid
from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from server.conversations.friendly_names import visitor_display_name
from server.conversations.models import Activity, CannedReply, Conversation, Message, Visitor
from server.conversations.records import BatchedConversation, BatchedMessage, HistoryMessage, SiteMember
from server.conversations.selectors.inbox_counts import SiteCounts
from server.conversations.selectors.search import SearchMatch
from server.protocol import objects
from server.protocol.objects import construct
from server.sites.models import Site


def agent_display_name(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The name visitors and colleagues see for an agent: first name, else the username before any '@'."""
    if user is None or isinstance(user, AnonymousUser):
        return display_name(first_name=None, username=None)
    return display_name(first_name=getattr(user, "first_name", None), username=user.get_username())


def display_name(*, first_name: str | None, username: str | None) -> str:
    """An agent's display name from its user row's fields; "Support" when the user is gone."""
    if username is None:
        return "Support"
    return (first_name or "").strip() or username.split("@", 1)[0]


# A batched message's wire shape is wanted twice: by the broadcast (built when the batch's events are
# handed over) and by its sender's ack (built just after). The second use takes the first's from here
# instead of building it again, a send's Python on the event loop being what bounds a process's rate.
# Keyed by identity; each entry holds its message, so the id cannot be reused while it is here.
_batched_wires: dict[int, tuple[BatchedMessage, objects.Message]] = {}
BATCHED_WIRES_MAX = 256  # far more than are ever between their broadcast and their ack


def message_wire(message: Message | BatchedMessage | HistoryMessage) -> objects.Message:
    """A stored message as sent to clients: the one place its wire shape is built."""
    if not isinstance(message, BatchedMessage):
        return _message_wire(message)
    shared = _batched_wires.pop(id(message), None)
    if shared is not None and shared[0] is message:
        return shared[1]
    wire = _message_wire(message)
    if len(_batched_wires) >= BATCHED_WIRES_MAX:
        _batched_wires.clear()
    _batched_wires[id(message)] = (message, wire)
    return wire


def _message_wire(message: Message | BatchedMessage | HistoryMessage) -> objects.Message:
    author: str
    author_name = None
    event = None
    if isinstance(message, BatchedMessage):
        # A batch builds no instances (they would cost a send a sixth of its time on the server).
        conversation_id, author, agent_id = message.conversation.conversation_id, Message.Author.VISITOR, None
    else:
        conversation_id, author, agent_id = message.conversation_id, message.author, message.agent_id
        event = message.event or None
        # An agent's reply, or a system line an agent caused (a resolve, a reopen).
        if author == Message.Author.AGENT or agent_id is not None:
            author_name = (
                display_name(first_name=message.agent_first_name, username=message.agent_username)
                if isinstance(message, HistoryMessage)
                else agent_display_name(message.agent)
            )
    return construct(
        objects.Message,
        id=message.id,
        conversation_id=conversation_id,
        seq=message.seq,
        author=author,
        author_name=author_name,
        agent_id=agent_id,
        body=message.body,
        client_id=message.client_id,
        created_at=message.created_at,
        event=event,
    )


def conversation_id_of(conversation: Conversation | BatchedConversation) -> uuid.UUID:
    """The id of a conversation, whether a row or what a batch read of it."""
    return conversation.conversation_id if isinstance(conversation, BatchedConversation) else conversation.pk


def started_conversation_wire(
    conversation: Conversation | BatchedConversation, *, previous_id: uuid.UUID | None
) -> objects.Conversation:
    """A conversation as its visitor sees it when its first message starts it (nothing stored before)."""
    return conversation_fields(
        conversation_id=conversation_id_of(conversation),
        status=conversation.status,
        last_seq=0,
        previous_id=previous_id,
        visitor_last_read_seq=0,
        agent_last_read_seq=0,
    )


def conversation_wire(
    conversation: Conversation, *, previous_id: uuid.UUID | None = None
) -> objects.Conversation:
    """A conversation as its visitor sees it."""
    return conversation_fields(
        conversation_id=conversation.pk,
        status=conversation.status,
        last_seq=conversation.last_seq,
        previous_id=previous_id,
        visitor_last_read_seq=conversation.visitor_last_read_seq,
        agent_last_read_seq=conversation.agent_last_read_seq,
    )


def conversation_fields(
    *,
    conversation_id: uuid.UUID,
    status: str,
    last_seq: int,
    previous_id: uuid.UUID | None,
    visitor_last_read_seq: int,
    agent_last_read_seq: int,
) -> objects.Conversation:
    """The visitor's view of a conversation, from its fields (when no row object is at hand)."""
    return construct(
        objects.Conversation,
        id=conversation_id,
        status=status,
        last_seq=last_seq,
        previous_id=previous_id,
        visitor_last_read_seq=visitor_last_read_seq,
        agent_last_read_seq=agent_last_read_seq,
    )


def visitor_wire(visitor: Visitor) -> objects.VisitorInfo:
    """A visitor as agents see it."""
    return visitor_fields(
        visitor_id=visitor.pk, name=visitor.name, email=visitor.email, last_page_url=visitor.last_page_url
    )


def visitor_fields(
    *, visitor_id: uuid.UUID, name: str, email: str, last_page_url: str
) -> objects.VisitorInfo:
    """A visitor as agents see it, from its fields (when no row object is at hand)."""
    return construct(
        objects.VisitorInfo,
        id=visitor_id,
        name=name,
        email=email,
        last_page_url=last_page_url,
        display_name=visitor_display_name(visitor_id=visitor_id, name=name),
    )


def site_wire(site: Site) -> objects.SiteInfo:
    """A site as agents see it."""
    return site_fields(site_id=site.pk, name=site.name)


def site_fields(*, site_id: int, name: str) -> objects.SiteInfo:
    """A site as agents see it, from its fields (when no row object is at hand)."""
    return construct(objects.SiteInfo, id=site_id, name=name)


def conversation_summary(
    conversation: Conversation, *, last_read_seq: int | None
) -> objects.ConversationSummary:
    """A conversation as an inbox row; `last_read_seq` is the reading agent's mark, None in broadcasts."""
    last_message = conversation.last_message
    return construct(
        objects.ConversationSummary,
        id=conversation.pk,
        site=site_wire(conversation.site),
        status=conversation.status,
        visitor=visitor_wire(conversation.visitor),
        assignee_id=conversation.assignee_id,
        assignee_name=assignee_name(conversation),
        resolved_at=conversation.resolved_at,
        last_seq=conversation.last_seq,
        last_message=message_wire(last_message) if last_message is not None else None,
        created_at=conversation.created_at,
        # The stored time moves on only every few seconds (models.Conversation.updated_at).
        updated_at=(
            max(conversation.updated_at, last_message.created_at)
            if last_message is not None
            else conversation.updated_at
        ),
        last_read_seq=last_read_seq,
        visitor_last_read_seq=conversation.visitor_last_read_seq,
    )


def new_message_summary(
    conversation: Conversation | BatchedConversation,
    message: Message | BatchedMessage,
    wire: objects.Message,
) -> objects.ConversationSummary:
    """The inbox row broadcast for a message just stored (`wire`, its wire shape) as its conversation's
    latest; it carries the exact time of the message (the stored updated_at moves on every few seconds)."""
    resolved_at = None
    if isinstance(conversation, BatchedConversation):
        # A batch only goes into open conversations.
        name = None
        if conversation.assignee_id is not None:
            name = display_name(
                first_name=conversation.assignee_first_name, username=conversation.assignee_username
            )
        site = site_fields(site_id=conversation.site_id, name=conversation.site_name)
        visitor = visitor_fields(
            visitor_id=conversation.visitor_id,
            name=conversation.visitor_name,
            email=conversation.visitor_email,
            last_page_url=conversation.visitor_page_url,
        )
    else:
        # The service loaded the conversation with its site, visitor and assignee, so the summary costs no
        # query.
        site, visitor = site_wire(conversation.site), visitor_wire(conversation.visitor)
        name, resolved_at = assignee_name(conversation), conversation.resolved_at
    return construct(
        objects.ConversationSummary,
        id=conversation_id_of(conversation),
        site=site,
        status=conversation.status,
        visitor=visitor,
        assignee_id=conversation.assignee_id,
        assignee_name=name,
        resolved_at=resolved_at,
        last_seq=message.seq,
        last_message=wire,
        created_at=conversation.created_at,
        updated_at=message.created_at,
        last_read_seq=None,
        # A batch reads no read mark (the visitor's path stays as it was): the console keeps its own.
        visitor_last_read_seq=(
            conversation.visitor_last_read_seq if isinstance(conversation, Conversation) else None
        ),
    )


def inbox_counts_wire(counts: SiteCounts) -> objects.InboxCounts:
    """One site's view counts as agents see them."""
    return construct(
        objects.InboxCounts,
        site_id=counts.site_id,
        open=counts.open,
        unassigned=counts.unassigned,
        resolved=counts.resolved,
        mine=counts.mine,
        over=list(counts.over),
    )


def search_match_wire(match: SearchMatch) -> objects.SearchMatch:
    """A search's matching message as agents see it."""
    return construct(
        objects.SearchMatch,
        conversation_id=match.conversation_id,
        message_id=match.message_id,
        seq=match.seq,
        snippet=match.snippet,
    )


def assignee_name(conversation: Conversation) -> str | None:
    """The display name of a conversation's assignee (services load it with the row), None without one."""
    if conversation.assignee_id is None:
        return None
    return agent_display_name(conversation.assignee)


def conversation_state(*, status: str, assignee_id: int | None) -> objects.ConversationState:
    """What decides a conversation's inbox bucket."""
    return construct(objects.ConversationState, status=status, assignee_id=assignee_id)


def activity_wire(activity: Activity) -> objects.Activity:
    """An agent-only line as consoles get it (its agent and assignee loaded)."""
    return construct(
        objects.Activity,
        id=activity.pk,
        conversation_id=activity.conversation_id,
        kind=activity.kind,
        agent_id=activity.agent_id,
        author_name=agent_display_name(activity.agent),
        assignee_id=activity.assignee_id,
        assignee_name=agent_display_name(activity.assignee) if activity.assignee_id is not None else None,
        body=activity.body,
        client_id=activity.client_id,
        created_at=activity.created_at,
    )


def site_agent_wire(member: SiteMember) -> objects.SiteAgent:
    """A member of the reading agent's sites, for the assign menu and for names."""
    return construct(
        objects.SiteAgent,
        id=member.user_id,
        name=display_name(first_name=member.first_name, username=member.username),
        site_ids=list(member.site_ids),
    )


def visitor_detail_wire(visitor: Visitor, *, browser: str, os: str) -> objects.VisitorDetail:
    """A visitor as the console's sidebar shows it."""
    return construct(
        objects.VisitorDetail,
        id=visitor.pk,
        site_id=visitor.site_id,
        name=visitor.name,
        email=visitor.email,
        display_name=visitor_display_name(visitor_id=visitor.pk, name=visitor.name),
        page_url=visitor.last_page_url,
        page_title=visitor.last_page_title,
        referrer=visitor.referrer,
        browser=browser,
        os=os,
        timezone=visitor.timezone,
        language=visitor.language,
        attributes=visitor.attributes,
        first_seen_at=visitor.first_seen_at,
        last_seen_at=visitor.last_seen_at,
        visits=visitor.visits,
    )


def past_conversation_wire(conversation: Conversation) -> objects.PastConversation:
    """One of a visitor's conversations as the sidebar lists it."""
    return construct(
        objects.PastConversation,
        id=conversation.pk,
        status=conversation.status,
        last_seq=conversation.last_seq,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        # Annotated by selectors.visitors.agent_visitor_detail (one join, no query per row).
        rating=getattr(conversation, "rating_score", None),
    )


def canned_wire(canned: CannedReply) -> objects.CannedReply:
    """A canned reply as agents see it."""
    return construct(
        objects.CannedReply,
        id=canned.pk,
        site_id=canned.site_id,
        shortcut=canned.shortcut,
        title=canned.title,
        body=canned.body,
        updated_at=canned.updated_at,
    )


def preferences_wire(values: Mapping[str, bool]) -> objects.Preferences:
    """An agent's notification preferences (by name) as sent to its consoles."""
    return construct(objects.Preferences, **values)

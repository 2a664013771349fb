"""Who is online: agents with a console open (online or away), each site's availability for its visitors,
and who views which conversation (docs/presence.md).

Each process tracks its own sockets here and keeps the shared state in a store (presence_store.py): Redis
when REDIS_URL is set, else memory. With Redis, one task per process pushes its entries' expiry forward
every PARLEY_PRESENCE_TTL_SECONDS / 3 and, every PARLEY_PRESENCE_SWEEP_SECONDS, drops the agents that
expired in the sites it serves (their process died) and announces what that changed. Presence fails soft:
a store that does not answer is logged, and the sockets go on.
"""

import asyncio
import logging
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings

from server.realtime import gateway
from server.realtime.presence_store import MemoryStore, PresenceStore, RedisStore, Status

logger = logging.getLogger(__name__)

Availability = Literal["online", "away"]


@dataclass
class _Console:
    """One agent socket of this process."""

    user_id: int
    site_ids: frozenset[int]
    viewing: dict[uuid.UUID, int] = field(default_factory=dict)  # conversation → its site


class _Tracker:
    """This process's sockets (on one event loop) and the store they share with other processes."""

    def __init__(self, store: PresenceStore) -> None:
        self.store = store
        self.consoles: dict[str, _Console] = {}  # by channel name
        self.visitor_sites: Counter[int] = Counter()
        self.task: asyncio.Task[None] | None = None

    def users(self) -> dict[int, set[int]]:
        """This process's connected agents and the sites their consoles joined."""
        users: dict[int, set[int]] = {}
        for console in self.consoles.values():
            users.setdefault(console.user_id, set()).update(console.site_ids)
        return users

    def viewing(self) -> set[tuple[uuid.UUID, int]]:
        """(conversation, agent) for every conversation a console of this process views."""
        return {(conversation, c.user_id) for c in self.consoles.values() for conversation in c.viewing}

    def served_sites(self) -> set[int]:
        """The sites whose visitors or agents this process serves."""
        sites = {site_id for site_id, count in self.visitor_sites.items() if count > 0}
        for console in self.consoles.values():
            sites |= console.site_ids
        return sites

    def ensure_refresher(self) -> None:
        """Start the heartbeat and sweep task when the store expires entries (Redis) and none runs."""
        if isinstance(self.store, RedisStore) and (self.task is None or self.task.done()):
            self.task = asyncio.ensure_future(self._refresh_forever())

    async def _refresh_forever(self) -> None:
        interval = settings.PARLEY_PRESENCE_TTL_SECONDS / 3
        next_sweep = time.monotonic() + settings.PARLEY_PRESENCE_SWEEP_SECONDS
        while self.consoles or self.visitor_sites:
            await asyncio.sleep(min(interval, settings.PARLEY_PRESENCE_SWEEP_SECONDS))
            try:
                await self.store.heartbeat(users=self.users(), viewing=self.viewing())
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + settings.PARLEY_PRESENCE_SWEEP_SECONDS
                    await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                _store_failed("heartbeat", error)

    async def sweep(self) -> None:
        """Announce the agents that expired in the sites this process serves, and what it did to them."""
        dropped = await self.store.sweep(site_ids=self.served_sites())
        events: list[gateway.LayerEvent] = []
        for site_id, user_ids in dropped.items():
            for user_id in sorted(user_ids):
                events.extend(gateway.presence_events(agent_id=user_id, status="offline", site_ids=[site_id]))
        await self.send(events, availability_of=dropped.keys())

    async def send(self, events: list[gateway.LayerEvent], *, availability_of: Collection[int]) -> None:
        """Send `events`, then the availability of the sites whose last announced one changed."""
        for site_id in sorted(availability_of):
            status, changed = await self.store.announce_availability(site_id=site_id)
            if changed:
                events.append(gateway.availability_event(site_id=site_id, status=status))
        if events:
            await gateway.send_events(events)


# Per event loop, like the loop's Redis clients: a server runs one; each test gets its own.
_trackers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Tracker]" = weakref.WeakKeyDictionary()


def _tracker() -> _Tracker:
    loop = asyncio.get_running_loop()
    tracker = _trackers.get(loop)
    if tracker is None:
        store: PresenceStore = RedisStore() if settings.REDIS_URL else MemoryStore()
        tracker = _trackers[loop] = _Tracker(store)
    return tracker


def _store_failed(operation: str, error: Exception) -> None:
    logger.warning("presence %s failed (%s: %s)", operation, type(error).__name__, error)


# --- reads (the API other modules use) -------------------------------------------------------------------


async def online_agent_ids(*, user_ids: Collection[int]) -> set[int]:
    """The agents among these with at least one console connected, away or not (none when Redis fails)."""
    try:
        return set(await _tracker().store.statuses(user_ids=user_ids))
    except Exception as error:
        _store_failed("read", error)
        return set()


async def site_availability(*, site_id: int) -> Availability:
    """ "online" when an agent of the site is connected and not away, else "away" ("online" on failure)."""
    try:
        statuses = await _tracker().store.site_statuses(site_ids=[site_id])
    except Exception as error:
        _store_failed("read", error)
        return "online"
    return "online" if "online" in statuses.values() else "away"


async def site_statuses(*, site_ids: Collection[int]) -> dict[int, Status]:
    """The connected agents of these sites and their status (the others are offline)."""
    try:
        return await _tracker().store.site_statuses(site_ids=site_ids)
    except Exception as error:
        _store_failed("read", error)
        return {}


# --- changes (the consumers call these) ------------------------------------------------------------------


@dataclass(frozen=True)
class Announcement:
    """Presence changes to send once the socket that caused them has its `ready`."""

    events: list[gateway.LayerEvent]
    site_ids: frozenset[int]


async def console_connected(*, channel_name: str, user_id: int, site_ids: Collection[int]) -> Announcement:
    """An agent socket joined its sites: the agent is connected; what to announce when it is new."""
    tracker = _tracker()
    sites = frozenset(site_ids)
    tracker.consoles[channel_name] = _Console(user_id=user_id, site_ids=sites)
    tracker.ensure_refresher()
    try:
        if await tracker.store.connect(user_id=user_id, site_ids=sites):
            status = (await tracker.store.statuses(user_ids=[user_id])).get(user_id, "online")
            events = gateway.presence_events(agent_id=user_id, status=status, site_ids=sites)
            return Announcement(events=events, site_ids=sites)
    except Exception as error:
        _store_failed("connect", error)
    return Announcement(events=[], site_ids=frozenset())


async def announce(announcement: Announcement) -> None:
    """Send what console_connected found to announce, and the availability it changed."""
    try:
        await _tracker().send(list(announcement.events), availability_of=announcement.site_ids)
    except Exception as error:
        _store_failed("announce", error)


async def console_closed(*, channel_name: str) -> None:
    """An agent socket closed: it views nothing more, and the agent is offline when it was its last."""
    tracker = _tracker()
    console = tracker.consoles.get(channel_name)
    if console is None:
        return
    for conversation_id in list(console.viewing):
        await stop_viewing(channel_name=channel_name, conversation_id=conversation_id)
    del tracker.consoles[channel_name]
    if any(other.user_id == console.user_id for other in tracker.consoles.values()):
        return
    sites = tracker.users().get(console.user_id, set()) | console.site_ids
    try:
        if await tracker.store.disconnect(user_id=console.user_id, site_ids=sites):
            events = gateway.presence_events(agent_id=console.user_id, status="offline", site_ids=sites)
            await tracker.send(events, availability_of=sites)
    except Exception as error:
        _store_failed("disconnect", error)


async def set_status(*, channel_name: str, status: Status) -> None:
    """The agent (of this socket) set itself online or away: remembered while any console is open."""
    tracker = _tracker()
    console = tracker.consoles.get(channel_name)
    if console is None:
        return
    sites = tracker.users()[console.user_id]
    try:
        await tracker.store.set_away(user_id=console.user_id, away=status == "away")
        events = gateway.presence_events(agent_id=console.user_id, status=status, site_ids=sites)
        await tracker.send(events, availability_of=sites)
    except Exception as error:
        _store_failed("status", error)


async def start_viewing(*, channel_name: str, conversation_id: uuid.UUID, site_id: int) -> None:
    """A console opened a conversation: tell the site's agents who views it now."""
    tracker = _tracker()
    console = tracker.consoles.get(channel_name)
    if console is None:
        return
    console.viewing[conversation_id] = site_id
    await _announce_viewers(
        tracker, conversation_id=conversation_id, site_id=site_id, user_id=console.user_id
    )


async def stop_viewing(*, channel_name: str, conversation_id: uuid.UUID) -> None:
    """A console left a conversation (or closed): when no console of the agent here views it, say so."""
    tracker = _tracker()
    console = tracker.consoles.get(channel_name)
    if console is None or conversation_id not in console.viewing:
        return
    site_id = console.viewing.pop(conversation_id)
    if (conversation_id, console.user_id) in tracker.viewing():
        return  # another console of the agent in this process still views it
    await _announce_viewers(
        tracker, conversation_id=conversation_id, site_id=site_id, user_id=console.user_id
    )


async def _announce_viewers(
    tracker: _Tracker, *, conversation_id: uuid.UUID, site_id: int, user_id: int
) -> None:
    viewing = (conversation_id, user_id) in tracker.viewing()
    try:
        viewers = await tracker.store.view(conversation_id=conversation_id, user_id=user_id, viewing=viewing)
        event = gateway.viewers_event(site_id=site_id, conversation_id=conversation_id, agent_ids=viewers)
        await gateway.send_events([event])
    except Exception as error:
        _store_failed("viewers", error)


def visitor_joined(*, site_id: int) -> None:
    """A visitor socket of the site listens for availability: this process sweeps that site."""
    tracker = _tracker()
    tracker.visitor_sites[site_id] += 1
    tracker.ensure_refresher()


def visitor_left(*, site_id: int) -> None:
    """A visitor socket of the site closed."""
    tracker = _tracker()
    tracker.visitor_sites[site_id] -= 1
    if tracker.visitor_sites[site_id] <= 0:
        del tracker.visitor_sites[site_id]


async def sweep_now() -> None:
    """Run this process's sweep at once (tests; the refresher runs it every PARLEY_PRESENCE_SWEEP_SECONDS)."""
    await _tracker().sweep()

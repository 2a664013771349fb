"""Where presence is kept: Redis when REDIS_URL is set (shared by every process), else this process's memory.

In Redis every entry carries an expiry (a sorted set's score, in epoch milliseconds) that the process
holding the console pushes forward with a heartbeat (presence.py); a process that dies stops pushing, so
its agents expire and the next sweep finds them. Keys:

- `conn:<user>`: the processes holding a console of the agent (member: process id);
- `site:<site>`: the agents connected to a site (member: user id), their expiry the latest of any process;
- `away:<user>`: present while the agent is away (expires with the agent's heartbeat, or one TTL after its
  last console closed, so that a reload keeps it);
- `avail:<site>`: the site's availability as last announced, so that one process announces a change;
- `view:<conversation>`: who views it (member: `<process>:<user>`).
"""

import asyncio
import time
import uuid
import weakref
from collections.abc import Collection, Iterable, Mapping
from typing import Literal, Protocol

from channels_redis.utils import create_pool, decode_hosts
from django.conf import settings
from redis import asyncio as aioredis

Status = Literal["online", "away"]

KEY_PREFIX = "parley-presence"
# A site key outlives its members' expiry this many TTLs, so a sweep still finds who expired in it.
SITE_KEY_TTLS = 10
# How long the last announced availability of a site is remembered (it is read again on every change).
AVAILABILITY_KEY_SECONDS = 86400


class PresenceStore(Protocol):
    """What presence.py asks of its storage."""

    async def connect(self, *, user_id: int, site_ids: Collection[int]) -> bool:
        """Note a console of this process; True when the agent had none connected anywhere."""

    async def disconnect(self, *, user_id: int, site_ids: Collection[int]) -> bool:
        """Forget this process's consoles of the agent; True when the agent has none left anywhere."""

    async def set_away(self, *, user_id: int, away: bool) -> None:
        """Remember the agent's status while any of its consoles is open."""

    async def statuses(self, *, user_ids: Collection[int]) -> dict[int, Status]:
        """The status of each of these agents that is connected (the others are offline)."""

    async def site_statuses(self, *, site_ids: Collection[int]) -> dict[int, Status]:
        """The connected agents of these sites and their status."""

    async def announce_availability(self, *, site_id: int) -> tuple[Status, bool]:
        """The site's availability, and whether it differs from the last announced one (now remembered)."""

    async def view(self, *, conversation_id: uuid.UUID, user_id: int, viewing: bool) -> set[int]:
        """Add or remove this process's agent as a viewer; the conversation's viewers after the change."""

    async def heartbeat(
        self, *, users: Mapping[int, Collection[int]], viewing: Iterable[tuple[uuid.UUID, int]]
    ) -> None:
        """Push forward the expiry of this process's agents (their sites) and viewers."""

    async def sweep(self, *, site_ids: Collection[int]) -> dict[int, set[int]]:
        """Drop the agents that expired in these sites; by site, the agents this call dropped."""


class MemoryStore:
    """One process's presence: nothing expires, since a socket closed is always seen."""

    def __init__(self) -> None:
        self.sites: dict[int, set[int]] = {}  # connected user id → the sites its consoles joined
        # Away agents → None while connected, else until when (time.monotonic()) a reload keeps it.
        self.away: dict[int, float | None] = {}
        self.announced: dict[int, Status] = {}
        self.viewers: dict[uuid.UUID, set[int]] = {}

    async def connect(self, *, user_id: int, site_ids: Collection[int]) -> bool:
        """Count a console; True when the agent was not connected."""
        first = user_id not in self.sites
        self.sites.setdefault(user_id, set()).update(site_ids)
        if user_id in self.away:
            until = self.away[user_id]
            if until is not None and until <= time.monotonic():
                del self.away[user_id]
            else:
                self.away[user_id] = None
        return first

    async def disconnect(self, *, user_id: int, site_ids: Collection[int]) -> bool:
        """Forget the agent's consoles (its last one closed); away holds for a reload (the TTL)."""
        self.sites.pop(user_id, None)
        if user_id in self.away:
            self.away[user_id] = time.monotonic() + settings.PARLEY_PRESENCE_TTL_SECONDS
        return True

    async def set_away(self, *, user_id: int, away: bool) -> None:
        """Remember the agent's status while it is connected."""
        if away and user_id in self.sites:
            self.away[user_id] = None
        else:
            self.away.pop(user_id, None)

    async def statuses(self, *, user_ids: Collection[int]) -> dict[int, Status]:
        """The status of each connected agent among these."""
        return {user_id: self._status(user_id) for user_id in user_ids if user_id in self.sites}

    async def site_statuses(self, *, site_ids: Collection[int]) -> dict[int, Status]:
        """The connected agents of these sites and their status."""
        wanted = set(site_ids)
        return {user_id: self._status(user_id) for user_id, sites in self.sites.items() if sites & wanted}

    def _status(self, user_id: int) -> Status:
        return "away" if user_id in self.away else "online"

    async def announce_availability(self, *, site_id: int) -> tuple[Status, bool]:
        """The site's availability, and whether it changed since it was last announced."""
        statuses = await self.site_statuses(site_ids=[site_id])
        status: Status = "online" if "online" in statuses.values() else "away"
        changed = self.announced.get(site_id) != status
        self.announced[site_id] = status
        return status, changed

    async def view(self, *, conversation_id: uuid.UUID, user_id: int, viewing: bool) -> set[int]:
        """Add or remove the agent as a viewer; the conversation's viewers after the change."""
        viewers = self.viewers.setdefault(conversation_id, set())
        if viewing:
            viewers.add(user_id)
        else:
            viewers.discard(user_id)
        if not viewers:
            del self.viewers[conversation_id]
        return set(viewers)

    async def heartbeat(
        self, *, users: Mapping[int, Collection[int]], viewing: Iterable[tuple[uuid.UUID, int]]
    ) -> None:
        """Nothing expires in memory."""

    async def sweep(self, *, site_ids: Collection[int]) -> dict[int, set[int]]:
        """Nothing expires in memory."""
        return {}


# Forget the process's consoles of an agent; when no live process is left, the agent leaves its sites.
# The agent's away key then lives one TTL more, so that a console reloaded comes back away.
# KEYS: conn, away, site keys...; ARGV: process id, user id, now (ms), TTL (ms).
_DISCONNECT = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
for i = 3, #KEYS do redis.call('ZREM', KEYS[i], ARGV[2]) end
return 1
"""

# Count the process's consoles of an agent; 1 when no live process had one before. An away key left by a
# reload lives on from here with the heartbeat.
# KEYS: conn, away, site keys...; ARGV: process id, user id, now (ms), expiry (ms), TTL (ms), site TTL (ms).
_CONNECT = """
local before = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[3], '+inf')
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
for i = 3, #KEYS do
  redis.call('ZADD', KEYS[i], 'GT', ARGV[4], ARGV[2])
  redis.call('PEXPIRE', KEYS[i], ARGV[6])
end
if before == 0 then return 1 end
return 0
"""

# The site's availability; with ARGV[3] = 1, also remembered as announced, and whether that changed it.
# KEYS: site, avail; ARGV: now (ms), away key prefix, remember, avail TTL (s).
# The away keys are read by name inside the script (one Redis node holds every presence key).
_AVAILABILITY = """
local status = 'away'
for _, user in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
  if redis.call('EXISTS', ARGV[2] .. user) == 0 then status = 'online' break end
end
if ARGV[3] ~= '1' then return {status, 0} end
local before = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[2], status, 'EX', ARGV[4])
if before == status then return {status, 0} end
return {status, 1}
"""

# Drop the members whose expiry has passed; the dropped ones (to the one caller that dropped them).
# KEYS: site; ARGV: now (ms).
_SWEEP = """
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) end
return gone
"""


def _now_ms() -> int:
    # Wall clock, shared by every process: their clocks must agree well within PARLEY_PRESENCE_TTL_SECONDS.
    return int(time.time() * 1000)


def _key(*parts: object) -> str:
    return ":".join((KEY_PREFIX, *(str(part) for part in parts)))


def redis_client() -> "aioredis.Redis":
    """An asyncio client on the first Redis of CHANNEL_LAYERS' hosts (REDIS_URL), for the running loop."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        hosts = decode_hosts(settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"])
        client = _clients[loop] = aioredis.Redis(connection_pool=create_pool(hosts[0]))
    return client


# Per event loop: an asyncio Redis client's connections belong to the loop that opened them.
_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis]" = weakref.WeakKeyDictionary()


class RedisStore:
    """Presence shared by every process through Redis, each entry expiring unless its process refreshes it."""

    def __init__(self) -> None:
        self.process_id = uuid.uuid4().hex
        self.away_prefix = _key("away", "")

    @property
    def ttl_ms(self) -> int:
        """How long an entry lives without a heartbeat."""
        return int(settings.PARLEY_PRESENCE_TTL_SECONDS * 1000)

    async def connect(self, *, user_id: int, site_ids: Collection[int]) -> bool:
        """Count a console of this process; True when no process had the agent connected."""
        now = _now_ms()
        keys = [
            _key("conn", user_id),
            _key("away", user_id),
            *(_key("site", site_id) for site_id in sorted(site_ids)),
        ]
        args: list[str | int] = [
            self.process_id,
            user_id,
            now,
            now + self.ttl_ms,
            self.ttl_ms,
            self.ttl_ms * SITE_KEY_TTLS,
        ]
        first = await redis_client().eval(_CONNECT, len(keys), *keys, *args)
        return bool(first)

    async def disconnect(self, *, user_id: int, site_ids: Collection[int]) -> bool:
        """Forget this process's consoles of the agent; True when no live process holds one."""
        keys = [
            _key("conn", user_id),
            _key("away", user_id),
            *(_key("site", site_id) for site_id in sorted(site_ids)),
        ]
        args: list[str | int] = [self.process_id, user_id, _now_ms(), self.ttl_ms]
        last = await redis_client().eval(_DISCONNECT, len(keys), *keys, *args)
        return bool(last)

    async def set_away(self, *, user_id: int, away: bool) -> None:
        """Set or clear the agent's away key (it expires with the agent's heartbeat)."""
        if away:
            await redis_client().set(_key("away", user_id), "1", px=self.ttl_ms)
        else:
            await redis_client().delete(_key("away", user_id))

    async def statuses(self, *, user_ids: Collection[int]) -> dict[int, Status]:
        """The status of each connected agent among these (two round trips, whatever their number)."""
        ordered = sorted(set(user_ids))
        if not ordered:
            return {}
        now = _now_ms()
        async with redis_client().pipeline(transaction=False) as pipeline:
            for user_id in ordered:
                pipeline.zcount(_key("conn", user_id), f"({now}", "+inf")
            counts = await pipeline.execute()
        connected = [user_id for user_id, count in zip(ordered, counts, strict=True) if count]
        return await self._with_away(connected)

    async def site_statuses(self, *, site_ids: Collection[int]) -> dict[int, Status]:
        """The connected agents of these sites and their status."""
        if not site_ids:
            return {}
        now = _now_ms()
        async with redis_client().pipeline(transaction=False) as pipeline:
            for site_id in sorted(site_ids):
                pipeline.zrangebyscore(_key("site", site_id), f"({now}", "+inf")
            members = await pipeline.execute()
        return await self._with_away(sorted({int(user) for users in members for user in users}))

    async def _with_away(self, user_ids: list[int]) -> dict[int, Status]:
        if not user_ids:
            return {}
        away = await redis_client().mget([_key("away", user_id) for user_id in user_ids])
        return {
            user_id: "away" if flag is not None else "online"
            for user_id, flag in zip(user_ids, away, strict=True)
        }

    async def availability(self, *, site_id: int, remember: bool) -> tuple[Status, bool]:
        """The site's availability; with `remember`, stored as announced, and whether that changed it."""
        keys = [_key("site", site_id), _key("avail", site_id)]
        args: list[str | int] = [
            _now_ms(),
            self.away_prefix,
            "1" if remember else "0",
            AVAILABILITY_KEY_SECONDS,
        ]
        status, changed = await redis_client().eval(_AVAILABILITY, len(keys), *keys, *args)
        text = status.decode() if isinstance(status, bytes) else str(status)
        return ("online" if text == "online" else "away"), bool(changed)

    async def announce_availability(self, *, site_id: int) -> tuple[Status, bool]:
        """The site's availability, and whether it differs from the last announced one."""
        return await self.availability(site_id=site_id, remember=True)

    async def view(self, *, conversation_id: uuid.UUID, user_id: int, viewing: bool) -> set[int]:
        """Add or remove this process's agent as a viewer; the live viewers after the change."""
        key = _key("view", conversation_id.hex)
        member = f"{self.process_id}:{user_id}"
        now = _now_ms()
        async with redis_client().pipeline(transaction=True) as pipeline:
            if viewing:
                pipeline.zadd(key, {member: now + self.ttl_ms})
                pipeline.pexpire(key, self.ttl_ms)
            else:
                pipeline.zrem(key, member)
            pipeline.zrangebyscore(key, f"({now}", "+inf")
            *_, members = await pipeline.execute()
        return {int(raw.decode().rpartition(":")[2]) for raw in members}

    async def heartbeat(
        self, *, users: Mapping[int, Collection[int]], viewing: Iterable[tuple[uuid.UUID, int]]
    ) -> None:
        """Push forward every expiry this process holds, in one round trip."""
        expiry = _now_ms() + self.ttl_ms
        async with redis_client().pipeline(transaction=False) as pipeline:
            for user_id, site_ids in users.items():
                pipeline.zadd(_key("conn", user_id), {self.process_id: expiry})
                pipeline.pexpire(_key("conn", user_id), self.ttl_ms)
                pipeline.pexpire(_key("away", user_id), self.ttl_ms)
                for site_id in site_ids:
                    pipeline.zadd(_key("site", site_id), {str(user_id): expiry}, gt=True)
                    pipeline.pexpire(_key("site", site_id), self.ttl_ms * SITE_KEY_TTLS)
            for conversation_id, user_id in viewing:
                key = _key("view", conversation_id.hex)
                pipeline.zadd(key, {f"{self.process_id}:{user_id}": expiry})
                pipeline.pexpire(key, self.ttl_ms)
            await pipeline.execute()

    async def sweep(self, *, site_ids: Collection[int]) -> dict[int, set[int]]:
        """Drop the agents that expired in these sites; by site, those this call dropped."""
        now = _now_ms()
        dropped: dict[int, set[int]] = {}
        for site_id in sorted(site_ids):
            gone = await redis_client().eval(_SWEEP, 1, _key("site", site_id), now)
            if gone:
                dropped[site_id] = {int(user) for user in gone}
        return dropped

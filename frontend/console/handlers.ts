// What the console does with each frame of the agent socket (the map that dispatch.ts routes through).

import { isRetryable } from "../shared/errors";
import type { AgentClientFrame, ConversationSummary, ErrorCode, ErrorFrame, Message } from "../shared/protocol";
import type { ConsoleController } from "./controller";
import type { FrameHandlers } from "./dispatch";
import { lifecycleHandlers } from "./handlers-lifecycle";
import { isMessage, isSummary, type ConversationState } from "./state/conversations";
import { typistKey } from "./state/typing";
import type { RowState } from "./state/inbox";
import type { Reply } from "./state/outbox";
import { visitorLabel } from "./format";
import { ERROR_TEXT, REPLY_ERROR, STATUS, THREAD, TOAST } from "./strings";

// message.new normally arrives before inbox.update; if it went missing, catch up with a sync after this.
const CATCH_UP_CHECK_MS = 1_500;
// Refusals after which a reply can never be stored, so its text goes back into the reply box.
const TAKEN_BACK = new Set<ErrorCode>(["body_too_long", "frame_too_large", "invalid_field", "conversation_superseded"]);
// Frames whose refusal needs nothing shown.
const QUIET_REFS = new Set<string>([
  "conversation.read",
  "ping",
  "conversation.leave",
  "visitor.get",
  "typing",
] satisfies AgentClientFrame["type"][]);

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function frameHandlers(c: ConsoleController): FrameHandlers {
  const { conversations, outbox, readMarks, presence, typing } = c.model;
  const isOpen = (conversation: ConversationState): boolean => conversation.id === c.state.openId;

  /** Stores messages, settles their replies and renders (following the thread down for the agent's own). */
  function place(conversation: ConversationState, messages: unknown): void {
    const { added } = conversations.addMessages(conversation, messages);
    outbox.settle(added);
    const mine = isOpen(conversation) && added.some((message) => c.model.isMine(message, c.state.agentWireName));
    c.touch(mine ? { scrollRequest: c.state.scrollRequest + 1 } : {});
  }

  /** Places one live message; a seq more than one past what is held means something was missed. */
  function placeLive(message: Message): ConversationState | undefined {
    const conversation = conversations.get(message.conversation_id);
    if (!conversation) return undefined;
    const gap = conversations.isGap(conversation.id, message.seq);
    place(conversation, [message]);
    if (gap && isOpen(conversation)) c.requestSync(conversation);
    return conversation;
  }

  function reopenLater(): void {
    c.later(() => {
      const openId = c.state.openId;
      if (openId && c.openedOnSocket !== c.generation) c.sendOpen(openId);
    });
  }

  function onReplyError(reply: Reply, frame: ErrorFrame): void {
    const { code } = frame;
    if (isRetryable(code)) {
      outbox.forgetSent(reply.client_id);
      if (reply.conversation_id === c.state.openId) c.showReplyError(ERROR_TEXT[code] ?? "");
      c.later(() => {
        if (outbox.get(reply.client_id)) c.sendReply(reply);
      });
      return;
    }
    // The server will never store this one: take it back and say why.
    outbox.refuse(reply.client_id);
    c.touch();
    if (reply.conversation_id !== c.state.openId) return;
    let text = ERROR_TEXT[code] || frame.message || REPLY_ERROR.notSent;
    if (code === "body_too_long") text = REPLY_ERROR.tooLong(c.config.message_max_length);
    if (code === "frame_too_large") text = REPLY_ERROR.frameTooLarge;
    c.showReplyError(text);
    if (!c.state.reply.trim() && TAKEN_BACK.has(code)) c.setReply(reply.body);
  }

  /** Moves the view counts by an inbox.update: from the row's state before (null: new) to its state now. */
  function moveCounts(summary: ConversationSummary, previous: RowState | null | undefined): void {
    const known = conversations.get(summary.id)?.summary;
    // A server without `previous`: the console's own copy, else a first message means a new conversation.
    const before = previous !== undefined ? previous : (known ?? (summary.last_seq <= 1 ? null : summary));
    if (typeof summary.site?.id === "number") c.model.counts.move(summary.site.id, before, summary, c.model.agentId);
  }

  return {
    ...lifecycleHandlers(c),
    ...c.tools.frameHandlers(),

    ready(frame) {
      c.model.team.set(frame.agents);
      const sites = list(frame.sites) as typeof frame.sites;
      // After a 4003 (removed from a site) the new `ready` names fewer sites: their rows go too.
      conversations.keepSites(new Set(sites.map((site) => site.id)));
      if (c.state.openId && !conversations.get(c.state.openId)) c.touch({ openId: null, threadNotice: null });
      for (const summary of list(frame.inbox)) {
        if (!isSummary(summary)) continue;
        conversations.upsert(summary);
        readMarks.raise(summary.id, summary.last_read_seq);
      }
      conversations.sortByActivity();
      c.tools.onReady(frame.canned);
      presence.reset(list(frame.presence) as typeof frame.presence);
      c.model.inbox.reset();
      c.model.inbox.startWith(typeof frame.inbox_next === "string" ? frame.inbox_next : null);
      c.model.counts.reset(frame.counts);
      const filter = c.state.siteFilter;
      const agentName = frame.agent && typeof frame.agent.name === "string" ? frame.agent.name : c.state.agentWireName;
      c.touch({
        preferences: frame.preferences ?? c.state.preferences,
        ready: true,
        everReady: true,
        link: "online",
        statusText: STATUS.online,
        agentWireName: agentName,
        sites,
        siteFilter: sites.some((site) => String(site.id) === filter) ? filter : "",
      });
      c.queryInbox();
      const openId = c.state.openId;
      if (openId) c.sendOpen(openId);
      // Replies for conversations that are not open can go now; the open one's wait for conversation.opened.
      for (const reply of outbox.all()) if (reply.conversation_id !== openId) c.sendReply(reply);
      c.openPending();
    },

    preferences(frame) {
      c.store.set({ preferences: frame.preferences });
    },

    "conversation.opened"(frame) {
      if (!isSummary(frame.conversation)) return;
      const conversation = conversations.upsert(frame.conversation);
      readMarks.raise(conversation.id, frame.conversation.last_read_seq);
      conversation.loaded = true;
      c.model.activity.add(frame.activity);
      c.tools.onActivity(frame.activity);
      place(conversation, frame.messages);
      if (!isOpen(conversation)) return;
      c.openedOnSocket = c.generation;
      c.store.set({ threadNotice: null });
      if (frame.has_more || conversations.hasGap(conversation)) c.requestSync(conversation);
      for (const reply of outbox.forConversation(conversation.id)) c.sendReply(reply);
      c.markOpenConversationRead();
    },

    "message.new"(frame) {
      if (!isMessage(frame.message)) return;
      // Their message is what they were typing.
      typing.stop(frame.message.conversation_id, typistKey(frame.message.author, frame.message.agent_id));
      const conversation = placeLive(frame.message);
      if (conversation && frame.message.author === "visitor" && isOpen(conversation)) c.markOpenConversationRead();
    },

    "message.ack"(frame) {
      if (!isMessage(frame.message)) return;
      outbox.ack(frame.client_id);
      if (!outbox.size && c.state.replyError === ERROR_TEXT.rate_limited) c.hideReplyError();
      if (!placeLive(frame.message)) c.touch();
    },

    history(frame) {
      const conversation = conversations.get(frame.conversation_id);
      if (!conversation) return;
      conversation.syncing = false;
      place(conversation, frame.messages);
      const more = frame.has_more && list(frame.messages).length > 0;
      if (isOpen(conversation) && (more || conversations.hasGap(conversation))) c.requestSync(conversation);
      c.markOpenConversationRead();
    },

    "inbox.page"(frame) {
      for (const summary of list(frame.conversations)) {
        if (!isSummary(summary)) continue;
        conversations.upsert(summary);
        readMarks.raise(summary.id, summary.last_read_seq);
      }
      conversations.sortByActivity();
      c.model.inbox.receive(frame);
      c.touch();
    },

    "inbox.update"(frame) {
      if (!isSummary(frame.conversation)) return;
      const known = conversations.get(frame.conversation.id);
      const heldSeq = known?.summary.last_seq ?? 0;
      moveCounts(frame.conversation, frame.previous);
      const conversation = conversations.upsert(frame.conversation);
      conversations.moveToTop(conversation.id);
      c.touch();
      // Only news alerts: a row updated for another reason (a status, an assignee) carries an old message.
      // New: this update started the conversation (a row merely not on a loaded page is not new).
      if ((frame.conversation.last_message?.seq ?? 0) > heldSeq) c.alertAbout(frame.conversation, frame.previous === null);
      if (!isOpen(conversation)) return;
      setTimeout(() => {
        const behind = conversations.contiguous(conversation.id) < (conversation.summary.last_seq || 0);
        if (isOpen(conversation) && conversation.loaded && behind) c.requestSync(conversation);
      }, CATCH_UP_CHECK_MS);
    },

    presence(frame) {
      presence.set(frame.agent_id, frame.status);
      c.touch();
    },

    "conversation.viewers"(frame) {
      presence.setViewers(frame.conversation_id, list(frame.agent_ids) as number[]);
      c.touch();
    },

    typing(frame) {
      const conversation = conversations.get(frame.conversation_id);
      if (!conversation || (frame.author === "agent" && frame.agent_id === c.model.agentId)) return;
      const key = typistKey(frame.author, frame.agent_id);
      if (frame.state !== "start") return typing.stop(conversation.id, key);
      const name = frame.author === "agent" ? frame.author_name || THREAD.agent : visitorLabel(conversation.summary.visitor);
      typing.start(conversation.id, key, name, frame.ttl_seconds);
    },

    read(frame) {
      if (frame.reader === "visitor" && conversations.raiseVisitorRead(frame.conversation_id, frame.seq)) c.touch();
    },

    notification(frame) {
      const payload = frame.payload as Record<string, unknown> | null | undefined;
      const title = typeof payload?.title === "string" ? payload.title : "";
      const body = typeof payload?.body === "string" ? payload.body : "";
      if (title || body) c.showToast(title || TOAST.notification, body, false);
      else c.showToast(TOAST.notification, JSON.stringify(payload ?? null, null, 2), true);
    },

    error(frame) {
      const code = frame.code;
      const ref = typeof frame.ref === "string" ? frame.ref : null;
      if (ref === null && isRetryable(code)) {
        // The server dropped a frame without saying which (refused before it was read): redo what may be lost.
        if (c.state.openId) c.showReplyError(ERROR_TEXT[code] ?? "");
        c.scheduleRecovery();
        return;
      }
      const reply = outbox.get(ref);
      if (reply) return onReplyError(reply, frame);
      if (c.tools.onError(ref, frame)) return;
      if (ref === "conversation.open") {
        if (isRetryable(code)) reopenLater();
        else
          c.showThreadNotice(
            code === "not_found" ? (ERROR_TEXT.not_found ?? "") : frame.message || ERROR_TEXT.invalid_field || "",
          );
        return;
      }
      if (ref === "sync") {
        for (const conversation of conversations.all()) conversation.syncing = false;
        if (!isRetryable(code)) return;
        c.later(() => {
          const conversation = conversations.get(c.state.openId);
          if (conversation && conversations.hasGap(conversation)) c.requestSync(conversation);
        });
        return;
      }
      if (ref === "canned.save" || ref === "canned.delete") {
        c.tools.showCannedError(frame.message || ERROR_TEXT[code] || "");
        return;
      }
      if (ref === "inbox.query") {
        c.model.inbox.failed();
        if (isRetryable(code)) c.later(() => c.queryInbox());
        c.touch();
        return;
      }
      if (ref !== null && QUIET_REFS.has(ref)) return;
      const text = ERROR_TEXT[code];
      if (text && c.state.openId) c.showReplyError(text);
    },
  };
}

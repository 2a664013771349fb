// Never drop a visitor (docs/offline.md), in the conversation itself: the away message with a request for
// an email address, the same request before the first message when the site asks for one, and after a
// resolve a rating (good / okay / bad, optional comment) and "email me the transcript". No separate form:
// the composer stays, and the conversation goes on.

import type { ConversationRated, EmailSaved, ErrorFrame, Message, TranscriptQueued } from "../shared/protocol";
import { el } from "./dom";
import { load, save } from "./storage";
import { T } from "./strings";
import type { PanelApi } from "./types";

const SCORES = ["good", "okay", "bad"] as const;
type Score = (typeof SCORES)[number];

export interface Offline {
  /** The cards, placed in the panel under the messages. */
  node: HTMLElement;
  /** Redraws from the team's availability and the messages held. */
  render: (availability: string) => void;
  /** Takes in a frame the loader heard (email.saved, conversation.rated, transcript.queued, error). */
  onFrame: (type: string, detail: unknown) => void;
}

/** Whether the latest conversation is resolved now: its last status line says so, else the server did. */
export function isResolved(messages: readonly Message[], latestId: string | undefined, status: string | undefined): boolean {
  const lines = messages.filter((message) => message.conversation_id === latestId && message.event);
  const last = lines[lines.length - 1];
  return last ? last.event === "resolved" : status === "resolved";
}

/** Takes a resume link's token out of the address bar once the loader's session has sent it (in page_url):
 * it is then neither bookmarked nor shared by accident. The host page's history state is kept. */
export function dropResumeToken(): void {
  if (/parley-resume=/.test(location.hash)) history.replaceState(history.state, "", location.pathname + location.search);
}

export function createOffline(api: PanelApi): Offline {
  dropResumeToken();
  const site = api.site;
  const emailKey = api.prefix + "email";
  let email = load(emailKey) || "";
  let rated: Record<string, Score> = {};
  let sentTranscript = "";
  let score: Score | null = null;

  const node = el("div", { class: "offline", "data-parley": "offline" });

  // The email request: one field and a button, its own small form so Enter saves it.
  const emailInput = el("input", { type: "email", class: "field", "data-parley": "email", "aria-label": T.EMAIL_LABEL, maxlength: "254", autocomplete: "email" });
  const emailError = el("p", { class: "hint", role: "alert", hidden: "" });
  const emailText = el("p");
  const emailForm = el("form", { class: "ask", "data-parley": "email-form" }, [
    emailText,
    el("div", { class: "row" }, [emailInput, el("button", { type: "submit", class: "small" }, [T.EMAIL_SAVE])]),
    emailError,
  ]);
  emailForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = emailInput.value.trim();
    if (typed) api.send({ type: "visitor.email", email: typed });
  });

  // dir="auto": the site's own words run in their own direction inside a panel of another language.
  const away = el("p", { class: "away", "data-parley": "away", dir: "auto" });
  const saved = el("p", { class: "hint", "data-parley": "email-saved" });

  // The rating card: three buttons, a comment, send; then thanks (and a change of mind until reopened).
  const scoreButtons = SCORES.map((value) => {
    const button = el("button", { type: "button", class: "score", "data-score": value, "aria-pressed": "false" }, [T.SCORE_TEXT[value] as string]);
    button.addEventListener("click", () => {
      score = value;
      for (const other of scoreButtons) other.setAttribute("aria-pressed", String(other === button));
      comment.hidden = send.hidden = false;
    });
    return button;
  });
  const comment = el("textarea", { class: "field", rows: "2", maxlength: "1000", placeholder: T.RATE_COMMENT, "aria-label": T.RATE_COMMENT, hidden: "" });
  const send = el("button", { type: "button", class: "small", hidden: "" }, [T.RATE_SEND]);
  const thanks = el("p", { class: "hint", "data-parley": "rated", hidden: "" }, [T.RATE_THANKS]);
  const transcript = el("button", { type: "button", class: "link", "data-parley": "transcript" }, [T.TRANSCRIPT_ASK]);
  const transcriptDone = el("p", { class: "hint", hidden: "" });
  const rating = el("div", { class: "ask", "data-parley": "rating" }, [
    el("p", {}, [T.RATE_QUESTION]),
    el("div", { class: "row" }, scoreButtons),
    comment,
    send,
    thanks,
    transcript,
    transcriptDone,
  ]);
  const latestId = (): string | undefined => api.latest()?.id;
  send.addEventListener("click", () => {
    const id = latestId();
    if (id && score) api.send({ type: "conversation.rate", conversation_id: id, score, comment: comment.value.trim() });
  });
  let wantsTranscript = false;
  transcript.addEventListener("click", () => {
    const id = latestId();
    if (!id) return;
    // Without an address yet, the email request shows first and the transcript follows its `email.saved`.
    if (email) api.send({ type: "transcript.request", conversation_id: id });
    else wantsTranscript = true;
    lastAvailability && render(lastAvailability);
  });

  node.append(away, emailForm, saved, rating);
  let lastAvailability = "";

  function render(availability: string): void {
    lastAvailability = availability;
    const messages = api.messages();
    const latest = api.latest();
    const id = latestId();
    const isAway = availability === "away" || site.within_hours === false;
    const resolved = !!id && isResolved(messages, id, latest?.status);
    const noMessages = !messages.some((message) => message.author === "visitor");
    // The away message stays while nobody is there; the email request with it until an address is left.
    away.hidden = !isAway;
    away.textContent = site.away_message || T.AWAY_DEFAULT;
    const askFirst = site.ask_email && noMessages;
    emailForm.hidden = !!email || !(isAway || askFirst || wantsTranscript);
    emailText.textContent = askFirst && !isAway ? T.EMAIL_ASK_FIRST : T.EMAIL_ASK;
    saved.hidden = !email || !isAway;
    saved.textContent = T.emailSavedText(email);
    rating.hidden = !resolved;
    const mine = id ? rated[id] : undefined;
    thanks.hidden = !mine;
    transcript.hidden = sentTranscript === id;
    transcriptDone.hidden = sentTranscript !== id;
    transcriptDone.textContent = T.transcriptSentText(email);
    node.hidden = away.hidden && emailForm.hidden && rating.hidden;
  }

  function onFrame(type: string, detail: unknown): void {
    if (type === "email.saved") {
      save(emailKey, (email = (detail as EmailSaved).email));
      emailInput.value = "";
      emailError.hidden = true;
      const id = latestId();
      if (wantsTranscript && id) api.send({ type: "transcript.request", conversation_id: id });
      wantsTranscript = false;
    } else if (type === "conversation.rated") {
      const frame = detail as ConversationRated;
      rated = { ...rated, [frame.conversation_id]: frame.rating.score };
    } else if (type === "transcript.queued") {
      sentTranscript = (detail as TranscriptQueued).conversation_id;
    } else if (type === "error" && (detail as ErrorFrame).code === "email_invalid") {
      emailError.textContent = T.EMAIL_INVALID;
      emailError.hidden = false;
    } else if (type === "reset") {
      save(emailKey, (email = ""));
      rated = {};
    }
  }

  return { node, render, onFrame };
}

export const OFFLINE_CSS = `
.offline{padding:8px 14px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}
.offline p{margin:0}
.away{align-self:flex-start;max-width:85%;padding:9px 13px;border-radius:12px;border-bottom-left-radius:4px;background:#e9ecf0;white-space:pre-wrap;overflow-wrap:anywhere}
.ask{display:flex;flex-direction:column;gap:6px;padding:10px 12px;border:1px solid #e5e7eb;border-radius:12px;background:#fff}
.row{display:flex;gap:6px}
.field{flex:1;min-width:0;margin:0;padding:7px 10px;border:1px solid #d0d5dd;border-radius:8px;font:inherit;color:inherit;background:#fff;resize:none}
.field:focus{outline:none;border-color:var(--parley-color);box-shadow:0 0 0 3px color-mix(in srgb,var(--parley-color) 22%,transparent)}
.small,.score{padding:6px 12px;border:0;border-radius:8px;background:var(--parley-color);color:var(--parley-on-color)}
.score{flex:1;background:#e9ecf0;color:#1f2328}
.score[aria-pressed=true]{background:var(--parley-color);color:var(--parley-on-color)}
.small{align-self:flex-start}
.link{align-self:flex-start;padding:0;border:0;background:none;color:inherit;text-decoration:underline}
.hint{font-size:12px;color:#5b6472}
[hidden]{display:none!important}
@media (prefers-color-scheme:dark){
.offline{background:#0f1218}
.away,.score{background:#2a303b;color:#e6e9ef}
.ask,.field{background:#171b23;border-color:#2a303b}
.hint{color:#aab2c0}
}
`;

// Telling the agent about new work while the console is out of sight (docs/notifications.md): a desktop
// notification (the Notification API) while the tab is hidden, and a short sound (Web Audio, no file)
// while the page is not in front, each when the agent's preferences say so.

import type { ConversationSummary, Preferences } from "../shared/protocol";
import { oneLine, visitorLabel } from "./format";
import { NOTIFY } from "./strings";

/** Characters of the visitor's text a notification shows. */
const BODY_MAX_CHARS = 140;

export interface Alert {
  conversationId: string;
  title: string;
  body: string;
}

export type Permission = NotificationPermission | "unsupported";

/**
 * The alert an inbox row calls for: a visitor's message that is new to this console (a new conversation),
 * or in a conversation assigned to this agent or to nobody; null for anything else (agents' replies,
 * colleagues' conversations).
 */
export function alertFor(summary: ConversationSummary, { isNew, agentId }: { isNew: boolean; agentId: number | null }) {
  const last = summary.last_message;
  if (!last || last.author !== "visitor") return null;
  if (!isNew && summary.assignee_id !== null && summary.assignee_id !== agentId) return null;
  const who = visitorLabel(summary.visitor);
  const alert: Alert = {
    conversationId: summary.id,
    title: isNew ? NOTIFY.newConversation(who) : NOTIFY.newMessage(who),
    body: shortened(last.body),
  };
  return alert;
}

/** The alert of a conversation assigned to this agent by a colleague (`conversation.assigned`). */
export function assignedAlert(summary: ConversationSummary, by: string): Alert {
  return {
    conversationId: summary.id,
    title: NOTIFY.assigned(by),
    body: visitorLabel(summary.visitor),
  };
}

function shortened(text: string): string {
  const line = oneLine(text);
  const chars = Array.from(line);
  return chars.length <= BODY_MAX_CHARS ? line : chars.slice(0, BODY_MAX_CHARS - 1).join("") + "…";
}

/** What the notifier needs of the browser (the real one by default; fakes in tests). */
export interface NotifyEnv {
  /** The tab is hidden (another tab in front, the window minimised). */
  hidden(): boolean;
  /** The page is visible and focused. */
  focused(): boolean;
  /** The Notification API, when the browser has one. */
  api(): typeof Notification | undefined;
  /** Plays the sound (the audio context made on a click of the agent's, so the browser lets it play). */
  beep(): void;
}

export class Notifier {
  private audio: AudioContext | null = null;
  readonly env: NotifyEnv;

  constructor(
    private readonly onOpen: (conversationId: string) => void,
    env?: Partial<NotifyEnv>,
  ) {
    this.env = {
      hidden: () => typeof document !== "undefined" && document.visibilityState === "hidden",
      focused: () => typeof document === "undefined" || (document.visibilityState === "visible" && document.hasFocus()),
      api: () => (typeof Notification === "function" ? Notification : undefined),
      beep: () => this.beep(),
      ...env,
    };
  }

  /** Whether desktop notifications may be shown, may be asked for, or not at all. */
  permission(): Permission {
    const api = this.env.api();
    return api ? api.permission : "unsupported";
  }

  /** Asks the browser for permission; only from a click of the agent's (browsers ignore it otherwise). */
  async requestPermission(): Promise<Permission> {
    const api = this.env.api();
    if (!api) return "unsupported";
    if (api.permission !== "default") return api.permission;
    return api.requestPermission();
  }

  /** Shows the alert as the preferences say: a notification while hidden, a sound while not in front. */
  alert(alert: Alert, preferences: Preferences): void {
    if (preferences.sound && !this.env.focused()) this.env.beep();
    if (!preferences.desktop || !this.env.hidden()) return;
    const api = this.env.api();
    if (!api || api.permission !== "granted") return;
    try {
      // The tag replaces an earlier notification of the same conversation instead of stacking them.
      const notification = new api(alert.title, { body: alert.body, tag: alert.conversationId });
      notification.onclick = () => {
        window.focus();
        this.onOpen(alert.conversationId);
        notification.close();
      };
    } catch {
      // Some browsers (Android Chrome) allow notifications only from a service worker: nothing to show.
    }
  }

  /** Makes the audio context during a click, so later sounds may play (browsers' autoplay rules). */
  primeSound(): void {
    try {
      this.audio ??= new AudioContext();
      void this.audio.resume();
    } catch {
      this.audio = null;
    }
  }

  private beep(): void {
    const audio = this.audio;
    if (!audio || audio.state !== "running") return;
    const start = audio.currentTime;
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.type = "sine";
    tone.frequency.setValueAtTime(880, start);
    tone.frequency.setValueAtTime(660, start + 0.12);
    volume.gain.setValueAtTime(0.0001, start);
    volume.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
    volume.gain.exponentialRampToValueAtTime(0.0001, start + 0.3);
    tone.connect(volume).connect(audio.destination);
    tone.start(start);
    tone.stop(start + 0.32);
  }
}

// The top bar: wordmark, connection state, the agent's name and Log out.

import type { ComponentChildren } from "preact";
import type { ConsoleState } from "../model";
import type { AgentStatus } from "../state/presence";
import { SETTINGS, TOPBAR } from "../strings";
import { PresenceToggle } from "./Presence";

export interface StatusBarProps {
  state: ConsoleState;
  agentName: string;
  /** The id of the page's server-rendered logout form (it carries the CSRF token). */
  logoutForm: string;
  /** The account's pages; the agent's name links there. */
  accountUrl: string;
  /** The owner pages, shown to owners only (empty: not an owner). */
  ownerUrl: string;
  /** This agent's status (offline until the socket says `ready`). */
  presence: AgentStatus;
  onPresence: (status: "online" | "away") => void;
  /** Opens the notification settings. */
  onSettings: () => void;
  /** Buttons of the agent tools (canned replies, shortcuts). */
  children?: ComponentChildren;
}

export function StatusBar({
  state,
  agentName,
  accountUrl,
  ownerUrl,
  logoutForm,
  presence,
  onPresence,
  onSettings,
  children,
}: StatusBarProps) {
  return (
    <header class="topbar">
      <p class="wordmark">
        <span class="wordmark-mark" aria-hidden="true"></span>
        {TOPBAR.wordmark}
      </p>
      <p class="status" data-console="status" data-state={state.link} role="status">
        <span class="status-dot" aria-hidden="true"></span>
        <span class="status-text">{state.statusText}</span>
      </p>
      <div class="topbar-end">
        <PresenceToggle status={presence} disabled={!state.ready} onSet={onPresence} />
        <button
          type="button"
          class="button button-ghost button-small"
          data-console="settings-open"
          aria-haspopup="dialog"
          onClick={onSettings}
        >
          {SETTINGS.open}
        </button>
        {children}
        {ownerUrl ? (
          <a class="button button-ghost button-small" href={ownerUrl} data-console="owner-link">
            {TOPBAR.siteSettings}
          </a>
        ) : null}
        <a class="agent-name" href={accountUrl} data-console="agent-name" title={TOPBAR.account}>
          {agentName}
        </a>
        <button type="submit" form={logoutForm} class="button button-ghost button-small" data-console="logout">
          {TOPBAR.logout}
        </button>
      </div>
    </header>
  );
}

// Presence in the console: the Online/Away toggle, status dots, and who else views the open conversation.

import { PRESENCE, TOPBAR } from "../strings";
import type { AgentStatus } from "../state/presence";
import type { Viewer } from "../view";

/** A dot in the colour of an agent's status, named for screen readers. */
export function PresenceDot({ status }: { status: AgentStatus }) {
  return <span class="presence-dot" data-status={status} role="img" aria-label={PRESENCE[status]}></span>;
}

export interface PresenceToggleProps {
  status: AgentStatus;
  disabled: boolean;
  onSet: (status: "online" | "away") => void;
}

/** The agent's own status: pressed means away; visitors see the team away while every agent is. */
export function PresenceToggle({ status, disabled, onSet }: PresenceToggleProps) {
  const away = status === "away";
  return (
    <button
      type="button"
      class="button button-ghost button-small presence-toggle"
      data-console="presence-toggle"
      data-status={status}
      aria-pressed={away}
      // The visible status is the button's name (axe: label-content-name-mismatch); the rest is a hint.
      title={`${away ? TOPBAR.setOnline : TOPBAR.setAway}. ${TOPBAR.presenceLabel}`}
      disabled={disabled}
      onClick={() => onSet(away ? "online" : "away")}
    >
      <PresenceDot status={status} />
      <span>{away ? TOPBAR.presence.away : TOPBAR.presence.online}</span>
    </button>
  );
}

/** "Carol is also viewing", with each colleague's dot; nothing when nobody else views it. */
export function Viewers({ viewers }: { viewers: Viewer[] }) {
  if (!viewers.length) return null;
  return (
    <p class="thread-viewers" data-console="viewers" role="status">
      {viewers.map((viewer) => (
        <span key={viewer.id} class="viewer" data-agent-id={String(viewer.id)}>
          <PresenceDot status={viewer.status} />
        </span>
      ))}
      <span data-console="viewers-text">{PRESENCE.alsoViewing(viewers.map((viewer) => viewer.name))}</span>
    </p>
  );
}

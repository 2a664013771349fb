// The notification settings dialog: the agent's four preferences (docs/notifications.md). Asking the
// browser's permission happens here, on the agent's click, never when the page loads.

import { useEffect, useRef } from "preact/hooks";
import type { Preferences } from "../../shared/protocol";
import type { Permission } from "../notify";
import { SETTINGS } from "../strings";

export interface SettingsProps {
  preferences: Preferences;
  permission: Permission;
  pushAvailable: boolean;
  notice: string | null;
  onDesktop: (on: boolean) => void;
  onPush: (on: boolean) => void;
  onSound: (on: boolean) => void;
  onTitleCount: (on: boolean) => void;
  onClose: () => void;
}

interface ToggleProps {
  name: string;
  label: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (on: boolean) => void;
}

function Toggle({ name, label, checked, disabled = false, onChange }: ToggleProps) {
  return (
    <label class="settings-toggle">
      <input
        type="checkbox"
        data-console={`preference-${name}`}
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
      <span>{label}</span>
    </label>
  );
}

export function Settings(props: SettingsProps) {
  const { preferences, permission } = props;
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Focus moves into the dialog, and back to what opened it when it closes.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.querySelector<HTMLInputElement>("input:not([disabled])")?.focus();
    return () => opener?.focus();
  }, []);
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === "Escape") props.onClose();
    if (event.key !== "Tab" || !dialog.current) return;
    // A modal dialog keeps the focus: Tab past the last control comes back to the first, and the reverse.
    const controls = [...dialog.current.querySelectorAll<HTMLElement>("input:not([disabled]), button")];
    const first = controls[0];
    const last = controls[controls.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };
  const blocked = permission === "denied" ? SETTINGS.blocked : permission === "unsupported" ? SETTINGS.unsupported : "";
  return (
    <div class="settings-backdrop">
      <div
        class="settings"
        role="dialog"
        aria-modal="true"
        aria-labelledby="settings-title"
        data-console="settings"
        ref={dialog}
        onKeyDown={onKeyDown}
      >
        <h2 id="settings-title" class="settings-title">
          {SETTINGS.title}
        </h2>
        <p class="settings-intro">{SETTINGS.intro}</p>
        <Toggle
          name="desktop"
          label={SETTINGS.desktop}
          checked={preferences.desktop && permission === "granted"}
          disabled={permission === "unsupported"}
          onChange={props.onDesktop}
        />
        <Toggle
          name="push"
          label={SETTINGS.push}
          checked={preferences.push}
          disabled={!props.pushAvailable && !preferences.push}
          onChange={props.onPush}
        />
        {!props.pushAvailable && !preferences.push && (
          <p class="settings-hint" data-console="push-unavailable">
            {SETTINGS.pushUnavailable}
          </p>
        )}
        <Toggle name="sound" label={SETTINGS.sound} checked={preferences.sound} onChange={props.onSound} />
        <Toggle
          name="title_count"
          label={SETTINGS.titleCount}
          checked={preferences.title_count}
          onChange={props.onTitleCount}
        />
        {(props.notice || blocked) && (
          <p class="settings-notice" role="status" data-console="settings-notice">
            {props.notice || blocked}
          </p>
        )}
        <div class="settings-actions">
          <button type="button" class="button button-small" data-console="settings-close" onClick={props.onClose}>
            {SETTINGS.done}
          </button>
        </div>
      </div>
    </div>
  );
}

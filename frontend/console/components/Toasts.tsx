// Notifications sent to the agent, each for a few seconds (at most four at a time).

import type { Toast } from "../model";
import { TOAST } from "../strings";

export interface ToastsProps {
  toasts: readonly Toast[];
  onDismiss: (id: number) => void;
  /** The toast's button for the conversation it names. */
  onOpen?: (toast: Toast) => void;
}

export function Toasts({ toasts, onDismiss, onOpen }: ToastsProps) {
  return (
    <div class="toasts" data-console="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} class="toast" role="status">
          <p class="toast-title">{toast.title}</p>
          {toast.body && toast.json ? <pre class="toast-json">{toast.body}</pre> : null}
          {toast.body && !toast.json ? <p class="toast-body">{toast.body}</p> : null}
          {toast.openId && onOpen ? (
            <button type="button" class="button button-small toast-open" data-console="toast-open" onClick={() => onOpen(toast)}>
              {TOAST.open}
            </button>
          ) : null}
          <button type="button" class="toast-close" aria-label={TOAST.dismiss} onClick={() => onDismiss(toast.id)}>
            {TOAST.close}
          </button>
        </div>
      ))}
    </div>
  );
}

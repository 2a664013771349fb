// Sending from the panel: a message goes into the loader's outbox at once (shown as pending)
// and is sent; the outbox sends it again after every reconnect until a stored copy comes back.

import { newClientId } from "../shared/client-id";
import { isRetryable } from "../shared/errors";
import type { ErrorFrame } from "../shared/protocol";
import type { PendingItem } from "./types";

const RETRY_DELAY = 1500;

export interface Sender {
  send: (body: string) => void;
  /** Returns the body of a message the server refused for good, so it can be edited and resent. */
  refused: (error: Pick<ErrorFrame, "code" | "ref" | "retry_after">) => string;
}

export interface OutboxApi {
  pending: () => PendingItem[];
  setPending: (items: PendingItem[]) => void;
  transmit: (items: readonly PendingItem[]) => void;
}

export function createSender(api: OutboxApi): Sender {
  let retryTimer: ReturnType<typeof setTimeout> | 0 = 0;
  let retryAt = 0;

  function send(body: string): void {
    const item = { client_id: newClientId(), body, created_at: new Date().toISOString() };
    api.setPending([...api.pending(), item]);
    api.transmit([item]);
  }

  function refused(error: Pick<ErrorFrame, "code" | "ref" | "retry_after">): string {
    if (isRetryable(error.code)) {
      // Once, however many errors arrive: the whole outbox goes again (the server deduplicates), and no
      // sooner than the longest retry_after a limit asked for (a rate-limited message stays pending).
      const at = Date.now() + (error.retry_after ? error.retry_after * 1000 : RETRY_DELAY);
      if (retryTimer && at <= retryAt) return "";
      clearTimeout(retryTimer);
      retryAt = at;
      retryTimer = setTimeout(
        () => {
          retryTimer = 0;
          api.transmit(api.pending());
        },
        at - Date.now() + Math.random() * RETRY_DELAY,
      );
      return "";
    }
    const item = api.pending().find((pending) => pending.client_id === error.ref);
    if (!item) return "";
    api.setPending(api.pending().filter((pending) => pending !== item));
    return item.body;
  }

  return { send, refused };
}

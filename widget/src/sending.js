// Sending from the panel: a message goes into the loader's outbox at once (shown as pending)
// and is sent; the outbox sends it again after every reconnect until a stored copy comes back.

// Errors after which nothing was stored and trying again shortly is right.
const RETRYABLE_ERRORS = ['rate_limited', 'internal_error'];
const RETRY_DELAY = 1500;

export function createSender(api) {
  let retryTimer = 0;

  function send(body) {
    const item = { client_id: newClientId(), body, created_at: new Date().toISOString() };
    api.setPending([...api.pending(), item]);
    api.transmit([item]);
  }

  // Returns the body of a message the server refused for good, so it can be edited and resent.
  function refused(error) {
    if (RETRYABLE_ERRORS.includes(error.code)) {
      // Once, however many errors arrive: the whole outbox goes again (the server deduplicates).
      retryTimer =
        retryTimer ||
        setTimeout(() => {
          retryTimer = 0;
          api.transmit(api.pending());
        }, RETRY_DELAY + Math.random() * RETRY_DELAY);
      return '';
    }
    const item = api.pending().find((pending) => pending.client_id === error.ref);
    if (!item) return '';
    api.setPending(api.pending().filter((pending) => pending !== item));
    return item.body;
  }

  return { send, refused };
}

// randomUUID needs a secure context (https or localhost); getRandomValues does not.
function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => (byte | 256).toString(16).slice(1)).join('');
}

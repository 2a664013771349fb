// Events from the loader to whoever listens (the badge, the panel): "change" (messages or
// outbox), "state" (connection state) and every frame by its type (the panel wants "error").

const listeners = [];

export function listen(listener) {
  listeners.push(listener);
}

export function emit(type, detail) {
  for (const listener of listeners) listener(type, detail);
}

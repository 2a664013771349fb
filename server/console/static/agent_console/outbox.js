// Replies not yet acknowledged by the server, kept in localStorage so a reload or an outage loses none.
// Each is re-sent with its original client_id, which the server uses to store it at most once.

const STORAGE_KEY = "parley-console:outbox";

function isEntry(value) {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof value.conversation_id === "string" &&
    typeof value.client_id === "string" &&
    /^[A-Za-z0-9_-]{1,64}$/.test(value.client_id) &&
    typeof value.body === "string" &&
    typeof value.created_at === "string"
  );
}

export class Outbox {
  constructor(storage = safeStorage()) {
    this.storage = storage;
    this.entries = [];
    this.load();
    window.addEventListener("storage", (event) => {
      if (event.key === STORAGE_KEY) this.load();
    });
  }

  load() {
    this.entries = [];
    if (!this.storage) return;
    try {
      const parsed = JSON.parse(this.storage.getItem(STORAGE_KEY) || "[]");
      if (Array.isArray(parsed)) this.entries = parsed.filter(isEntry);
    } catch {
      this.entries = [];
    }
  }

  save() {
    if (!this.storage) return;
    try {
      if (this.entries.length) this.storage.setItem(STORAGE_KEY, JSON.stringify(this.entries));
      else this.storage.removeItem(STORAGE_KEY);
    } catch {
      // Storage full or disabled: the replies stay in memory for this page.
    }
  }

  add(entry) {
    this.entries.push({
      conversation_id: entry.conversation_id,
      client_id: entry.client_id,
      body: entry.body,
      created_at: entry.created_at,
    });
    this.save();
  }

  get(clientId) {
    return this.entries.find((entry) => entry.client_id === clientId) || null;
  }

  remove(clientId) {
    const before = this.entries.length;
    this.entries = this.entries.filter((entry) => entry.client_id !== clientId);
    if (this.entries.length !== before) this.save();
  }

  forConversation(conversationId) {
    return this.entries.filter((entry) => entry.conversation_id === conversationId);
  }

  all() {
    return [...this.entries];
  }
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

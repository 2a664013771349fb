// The messages of the visitor's current conversation, keyed by seq: a seq already held is
// dropped, so a message shows exactly once whatever mix of ready/new/ack/history delivers it.
// (Integer keys of a plain object iterate in ascending order: the list comes out sorted.)

// Read directly by the transport (one bundle, one scope); changed only through resetConversation.
export let currentConversation = null;
let messagesBySeq = {};

export function resetConversation(id) {
  currentConversation = id;
  messagesBySeq = {};
}

export function keepMessages(messages) {
  for (const message of messages || []) {
    if (message.conversation_id === currentConversation) messagesBySeq[message.seq] = messagesBySeq[message.seq] || message;
  }
}

export function storedMessages() {
  return Object.values(messagesBySeq);
}

export function highestSeq() {
  return Math.max(0, ...Object.keys(messagesBySeq));
}

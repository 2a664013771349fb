// The message list: stored messages by seq, then pending ones. Nodes are keyed by client_id
// (else seq) and reused, so a pending bubble turns into the stored one in place and the
// aria-live region announces each message once.

import { el } from './dom.js';

export function createMessageList(greeting) {
  const list = el('ol', { class: 'list', 'aria-live': 'polite', 'aria-relevant': 'additions' }, [greeting]);
  const nodes = new Map();

  // Returns whether a message was added.
  function renderMessages(items) {
    const wanted = new Set();
    let cursor = greeting.nextSibling;
    let added = false;
    for (const item of items) {
      const key = item.client_id ? 'c' + item.client_id : 's' + item.seq;
      wanted.add(key);
      let node = nodes.get(key);
      if (!node) {
        node = messageNode();
        nodes.set(key, node);
        added = true;
      }
      updateMessageNode(node, item);
      if (node === cursor) cursor = cursor.nextSibling;
      else list.insertBefore(node, cursor);
    }
    for (const [key, node] of nodes) {
      if (!wanted.has(key)) {
        node.remove();
        nodes.delete(key);
      }
    }
    return added;
  }

  return { list, renderMessages };
}

export function messageNode(extraClass) {
  return el('li', { class: 'msg ' + (extraClass || '') }, [el('div', { class: 'bubble' }), el('div', { class: 'meta' })]);
}

// Touches the DOM only where something changed (a live region reads out every change).
function updateMessageNode(node, item) {
  const [bubble, meta] = node.children;
  const metaText = item.pending
    ? 'Sending…'
    : (item.author === 'agent' ? (item.author_name || 'Agent') + ' · ' : '') + formatTime(item.created_at);
  setText(bubble, item.body);
  setText(meta, metaText);
  setData(node, 'parley', 'message');
  setData(node, 'author', item.author);
  setData(node, 'seq', item.pending ? null : String(item.seq));
  setData(node, 'pending', item.pending ? '' : null);
}

export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setData(node, name, value) {
  if (value === null) node.removeAttribute('data-' + name);
  else if (node.getAttribute('data-' + name) !== value) node.setAttribute('data-' + name, value);
}

// Local time as HH:MM.
function formatTime(isoTime) {
  const time = new Date(isoTime);
  if (isNaN(time)) return '';
  return String(time.getHours()).padStart(2, '0') + ':' + String(time.getMinutes()).padStart(2, '0');
}

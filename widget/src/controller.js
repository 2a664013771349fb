// The launcher, the unread badge, opening and closing, and loading the panel on first open.

import { addStyles, el, icon } from './dom.js';
import { listen } from './events.js';
import { fetchJSON } from './http.js';
import { pendingItems, setPending } from './outbox.js';
import { load, save } from './storage.js';
import { highestSeq, storedMessages } from './store.js';
import { colorCss, LAUNCHER_CSS } from './styles.js';
import { configureTransport, currentState, startTransport, transmit } from './transport.js';

const CHAT_ICON = 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z';

let serverBase = '';
let scriptNonce = '';
let seenKey = '';
// The highest seq seen with the panel open; in memory too, in case localStorage is blocked.
let seenSeq = 0;
let siteSettings = null;
let hostElement = null;
let widgetRoot = null;
let launcher = null;
let badge = null;
let isOpen = false;
let panel = null;
let panelRequested = false;

export function startWidget(base, siteKey, nonce) {
  const storagePrefix = 'parley:' + siteKey + ':';
  const keyPath = encodeURIComponent(siteKey);
  serverBase = base;
  scriptNonce = nonce;
  seenKey = storagePrefix + 'seen';
  seenSeq = +load(seenKey);
  const siteUrl = base + '/api/widget/sites/' + keyPath;
  const socketUrl = base.replace(/^http/, 'ws') + '/ws/visitor/' + keyPath + '/';
  const returningVisitor = configureTransport(siteUrl, socketUrl, storagePrefix);
  fetchJSON(siteUrl + '/config').then(
    (data) => {
      const build = () => {
        buildLauncher(data.site);
        // A returning visitor connects at once so replies raise the badge; a new one gets no
        // session (no visitor row) until the chat is first opened.
        if (returningVisitor) startTransport();
      };
      if (document.body) build();
      else document.addEventListener('DOMContentLoaded', build);
    },
    // Error answers carry no CORS headers for a foreign origin, so the browser often hides the code.
    (error) => console.error('Parley: chat unavailable; check data-site and the allowed origins.', error),
  );
}

export function setOpen(open) {
  if (open === isOpen) return;
  isOpen = open;
  if (!launcher) return; // remembered, and applied once the launcher exists
  const focusWasInside = document.activeElement === hostElement;
  render();
  if (!open && focusWasInside) launcher.focus();
}

export function toggleChat() {
  setOpen(!isOpen);
}

// Called by panel.js through Parley('_panel', mount). The panel closes itself with Parley('close').
export function registerPanel(mount) {
  if (panel || !launcher) return;
  panel = mount({
    root: widgetRoot,
    site: siteSettings,
    messages: storedMessages,
    pending: pendingItems,
    setPending,
    transmit,
    state: currentState,
    listen,
  });
  panel.show(isOpen);
}

function buildLauncher(site) {
  siteSettings = site;
  hostElement = el('div', { id: 'parley-widget' });
  const shadow = hostElement.attachShadow({ mode: 'open' });
  addStyles(shadow, LAUNCHER_CSS);
  addStyles(shadow, colorCss(site.color));
  badge = el('span', { class: 'badge', 'data-parley': 'badge', hidden: '' });
  launcher = el('button', { class: 'launcher', 'data-parley': 'launcher' }, [icon(CHAT_ICON, 'icon'), badge]);
  launcher.onclick = toggleChat;
  // The class is the position, "right" or "left"; the styles move things for "left".
  widgetRoot = el('div', { class: site.position }, [launcher]);
  shadow.append(widgetRoot);
  document.body.append(hostElement);
  listen(refreshBadge);
  render();
}

function render() {
  widgetRoot.classList.toggle('is-open', isOpen);
  launcher.setAttribute('aria-expanded', isOpen);
  if (isOpen) {
    startTransport();
    requestPanel();
  }
  if (panel) panel.show(isOpen);
  refreshBadge();
}

function requestPanel() {
  if (panelRequested) return;
  panelRequested = true;
  const script = el('script', { src: serverBase + '/widget/panel.js' });
  // A nonce-based CSP allowed this loader by its nonce; hand it on to the panel.
  script.nonce = scriptNonce;
  // The browser reports the failed load; closing lets the next click try again.
  script.onerror = () => {
    panelRequested = false;
    setOpen(false);
  };
  document.head.append(script);
}

// Unread = agent messages after the last seq seen with the panel open. Set (not raised) while
// open, so a new conversation, whose seqs start again at 1, is not hidden by the old mark.
function refreshBadge() {
  if (isOpen && seenSeq !== highestSeq()) save(seenKey, (seenSeq = highestSeq()));
  const unread = storedMessages().filter((message) => message.author === 'agent' && message.seq > seenSeq).length;
  badge.textContent = unread;
  badge.hidden = !unread;
  // The label, which screen readers announce instead of the badge, carries the count too.
  launcher.setAttribute('aria-label', (isOpen ? 'Close chat' : 'Open chat') + (unread ? ` (${unread} unread)` : ''));
}

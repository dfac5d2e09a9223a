/**
 * The few HTML pages the LTI tool answers with: the session itself, a refusal,
 * the deep-linking title form, and the form that carries a signed response back
 * to the LMS. Every value is escaped; the only script is the bundle and, on the
 * hand-back form, one nonce'd line that submits it.
 */
import { createHash } from 'node:crypto';
import type { Response } from 'express';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  html, body { margin: 0; height: 100%; }
  main.message { max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
  main.message code { font-size: 0.85em; }
  form label { display: block; margin: 1rem 0 0.25rem; font-weight: 600; }
  form input[type=text] { width: 100%; box-sizing: border-box; padding: 0.5rem; font: inherit; }
  form button { margin-top: 1rem; padding: 0.5rem 1.25rem; font: inherit; }
  live-session { display: block; height: 100%; }
`;
/** The pages' own style element, allowed by its hash: the session page allows no other inline style (none of the elements needs one). */
const STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

function send(response: Response, status: number, html: string, csp: string): void {
  response
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': csp,
      'Referrer-Policy': 'no-referrer',
    })
    .send(html);
}

const BASE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; object-src 'none'";

/** A refusal the person who launched can read: what went wrong and what to do. */
export function sendErrorPage(response: Response, status: number, code: string, message: string): void {
  const body = `<main class="message" role="alert" data-lti-error="${escapeHtml(code)}">
<h1>This session could not be opened</h1>
<p>${escapeHtml(message)}</p>
<p>Open the activity again from your course. If it keeps happening, tell your course administrator: error <code>${escapeHtml(code)}</code>.</p>
</main>`;
  send(response, status, page('Live session: launch refused', body), `${BASE_CSP}; form-action 'none'`);
}

/**
 * The session page's own script: takes the join token from the address's
 * fragment (never sent to a server, dropped from the address bar at once), keeps
 * it in this tab's session storage so a refresh re-joins, and adds the element.
 */
export const SESSION_SCRIPT = `const body = document.body;
const fragment = new URLSearchParams(location.hash.slice(1));
let launch = null;
if (fragment.get('token')) {
  launch = { token: fragment.get('token'), title: fragment.get('title') || 'Live session' };
  try { sessionStorage.setItem('live-session-lti', JSON.stringify(launch)); } catch { /* storage blocked: no refresh */ }
  history.replaceState(null, '', location.pathname);
} else {
  try { launch = JSON.parse(sessionStorage.getItem('live-session-lti') || 'null'); } catch { launch = null; }
}
if (launch && typeof launch.token === 'string') {
  document.title = launch.title;
  const element = document.createElement('live-session');
  element.setAttribute('server', body.dataset.server);
  element.setAttribute('token', launch.token);
  if (body.dataset.attendance === 'on') element.setAttribute('attendance', '');
  body.replaceChildren(element);
} else {
  document.getElementById('missing').hidden = false;
}
`;

export interface SessionShell {
  /** The room server's base URL. */
  server: string;
  /** Show tutors the attendance download. */
  attendance: boolean;
}

/** The session page: the bundle, the script above, and a message for a visit without a launch. */
export function sendSessionShell(response: Response, view: SessionShell): void {
  const server = new URL(view.server);
  const socket = `${server.protocol === 'https:' ? 'wss:' : 'ws:'}//${server.host}`;
  const head = `<script type="module" src="${escapeHtml(`${view.server}lti/live-session.js`)}"></script>
<script type="module" src="${escapeHtml(`${view.server}lti/session.js`)}"></script>`;
  const body = `<main class="message" id="missing" hidden data-lti-error="no-launch">
<h1>This session could not be opened</h1>
<p>Open the activity again from your course.</p>
</main>`;
  const html = page('Live session', body, head).replace(
    '<body>',
    `<body data-server="${escapeHtml(view.server)}" data-attendance="${view.attendance ? 'on' : 'off'}">`,
  );
  send(
    response,
    200,
    html,
    `default-src 'none'; script-src ${server.origin}; connect-src ${server.origin} ${socket}; ` +
      `style-src ${STYLE_SOURCE}; img-src data: blob:; media-src blob: mediastream:; base-uri 'none'; object-src 'none'; form-action 'none'`,
  );
}

/** Asks the instructor for the activity's title; the ticket names the pending request. */
export function sendDeepLinkForm(response: Response, action: string, ticket: string, title: string): void {
  const body = `<main class="message">
<h1>Add a live session</h1>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="ticket" value="${escapeHtml(ticket)}">
<label for="title">Title shown in the course</label>
<input id="title" type="text" name="title" value="${escapeHtml(title)}" maxlength="200" required>
<button type="submit">Add to course</button>
</form>
</main>`;
  const origin = new URL(action).origin;
  send(response, 200, page('Add a live session', body), `${BASE_CSP}; form-action ${origin}`);
}

/** Posts `fields` to `action` (the LMS's return URL) at once; a button does it without script. */
export function sendAutoPost(response: Response, action: string, fields: Record<string, string>, nonce: string): void {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const body = `<main class="message">
<form id="hand-back" method="post" action="${escapeHtml(action)}">
${inputs}
<p>Returning to your course…</p>
<button type="submit">Continue</button>
</form>
<script nonce="${nonce}">document.getElementById('hand-back').submit();</script>
</main>`;
  const origin = new URL(action).origin;
  send(response, 200, page('Returning to your course', body), `${BASE_CSP}; script-src 'nonce-${nonce}'; form-action ${origin}`);
}

/**
 * LTI client-side postMessage storage, for browsers that keep no cookie in the
 * LMS's iframe: the page asks the platform's storage frame to put (at login)
 * or get (at launch) a value, checks the answer's origin and message id, and
 * moves on to `next`, or shows why not.
 */
export interface StorageStep {
  /** `lti_storage_target` of the login: `_parent` or the name of a frame next to the tool's. */
  target: string;
  /** The platform's origin: messages go only there and are only taken from there. */
  origin: string;
  action: 'put' | 'get';
  key: string;
  value: string;
  /** Where to go once the storage answered (put: whatever it said; get: only with the value). */
  next: string;
}

const STORAGE_SCRIPT = `const step = JSON.parse(document.getElementById('step').textContent);
function storageFrame() {
  try {
    if (step.target === '_parent') return window.parent === window ? null : window.parent;
    return window.parent.frames[step.target] || (window.opener && window.opener.frames[step.target]) || null;
  } catch { return null; }
}
function ask(message) {
  return new Promise((resolve) => {
    const frame = storageFrame();
    if (!frame) { resolve(null); return; }
    const id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
    const timer = setTimeout(() => { removeEventListener('message', listen); resolve(null); }, 5000);
    function listen(event) {
      if (event.origin !== step.origin || !event.data || event.data.message_id !== id) return;
      removeEventListener('message', listen);
      clearTimeout(timer);
      resolve(event.data);
    }
    addEventListener('message', listen);
    frame.postMessage(Object.assign({}, message, { message_id: id }), step.origin);
  });
}
if (step.action === 'put') {
  ask({ subject: 'lti.put_data', key: step.key, value: step.value }).then(() => location.replace(step.next));
} else {
  ask({ subject: 'lti.get_data', key: step.key }).then((answer) => {
    if (answer && answer.subject === 'lti.get_data.response' && answer.value === step.value) location.replace(step.next);
    else document.getElementById('refused').hidden = false;
  });
}
`;

export function sendStorageStep(response: Response, step: StorageStep, nonce: string): void {
  const json = JSON.stringify(step).replace(/</g, '\\u003c');
  const body = `<main class="message">
<p id="waiting">Opening the session…</p>
<div id="refused" hidden role="alert" data-lti-error="storage">
<h1>This session could not be opened</h1>
<p>This browser kept neither the launch cookie nor the launch in the LMS's storage. Open the activity again from your course, or ask for it to open in a new window.</p>
</div>
</main>
<script type="application/json" id="step">${json}</script>
<script nonce="${nonce}">${STORAGE_SCRIPT}</script>`;
  send(response, 200, page('Opening the session', body), `${BASE_CSP}; script-src 'nonce-${nonce}'; form-action 'none'`);
}

// Room page: builds the <live-session> element from the URL, logs its events,
// switches themes, and shows the embed snippet for this room.
import { embedSnippet } from './snippet.js';

const params = new URLSearchParams(location.search);
const room = params.get('room') || 'demo';
const role = params.get('role') === 'tutor' ? 'tutor' : 'student';
const name = params.get('name') || (role === 'tutor' ? 'Tutor' : 'Student');
const topology = params.get('topology') === 'star' ? 'star' : 'mesh';
const server = `${location.origin}/`;

document.querySelector('#title').textContent = `Room “${room}” — ${name} (${role})`;
document.title = `${name} · ${room} · live-session`;

const logElement = document.querySelector('#log');
function log(line) {
  const time = new Date().toLocaleTimeString();
  logElement.textContent += `${time} ${line}\n`;
  logElement.scrollTop = logElement.scrollHeight;
}

const events = [
  'ls-joined', 'ls-left', 'ls-participant-joined', 'ls-participant-left', 'ls-participant-updated',
  'ls-connection-state', 'ls-hand-queue', 'ls-muted', 'ls-unmute-requested', 'ls-error',
  'ls-chat-message', 'ls-chat-deleted', 'ls-chat-policy', 'ls-reaction',
  'ls-speak-invited', 'ls-floor', 'ls-waiting', 'ls-waiting-list', 'ls-admission',
  'ls-screen-share', 'ls-screen-share-ended',
];

function describe(type, detail) {
  if (!detail) return '';
  if (detail.screen) return `${detail.sharer ? `${detail.sharer.name} shares a screen` : 'no screen shared'}, students may share: ${detail.screen.studentsMayShare}`;
  if (type === 'ls-screen-share-ended') return `your share ended (${detail.reason})`;
  if (detail.waiting) return `${detail.waiting.length} waiting`;
  if (detail.admission) return `waiting room ${detail.admission.waiting ? 'on' : 'off'}, ${detail.admission.locked ? 'locked' : 'unlocked'}`;
  if (detail.floor) return `talking stick ${detail.floor.talkingStick ? 'on' : 'off'}, ${detail.floor.speakers.length} speaking, ${detail.floor.invited.length} invited`;
  if (type === 'ls-speak-invited') return `by ${detail.by?.name ?? 'the tutor'}`;
  if (detail.reaction) return `${detail.participant.name}: ${detail.reaction}`;
  if (detail.participant) {
    const p = detail.participant;
    return `${p.name} (${p.role}) video:${p.isVideoOn ? 'on' : 'off'} mic:${p.isAudioOn ? 'on' : 'off'}${p.isHandRaised ? ' hand' : ''}${detail.reason ? ` reason:${detail.reason}` : ''}`;
  }
  if (type === 'ls-waiting') return detail.message;
  if (type === 'ls-chat-message') return `${detail.message.from.name}${detail.message.isPrivate ? ' (private)' : ''}: ${detail.message.text}`;
  if (type === 'ls-chat-policy') return `students may write to everyone: ${detail.studentsMayChat}`;
  if (type === 'ls-chat-deleted') return `message ${detail.id}`;
  if (type === 'ls-joined') {
    const sfu = document.querySelector('live-session')?.session?.mediaTopology === 'sfu';
    return `room ${detail.room}, ${detail.participants.length} in the room${sfu ? ', media through the SFU (Janus)' : ''}`;
  }
  if (detail.state) return detail.state;
  if (detail.handQueue) return `[${detail.handQueue.length} hands]`;
  if (detail.code) return `${detail.code}: ${detail.message}`;
  if (detail.reason) return detail.reason;
  return '';
}

/** A token from the demo's development signer, null in open mode; throws when tokens are needed but unavailable. */
async function tokenFor() {
  const config = await fetch('/demo/config.json').then((r) => r.json()).catch(() => ({ tokens: false }));
  if (!config.tokens) return null;
  if (!config.devTokens) {
    throw new Error(
      'This server requires signed join tokens and its development token signer is off. ' +
        'In production your backend signs each token (see docs/embedding-lms.md); to try the demo on your own machine, ' +
        'restart it with `npm start -- --dev-tokens`.',
    );
  }
  const userId = sessionStorage.getItem('live-session.user-id') || `u-${crypto.randomUUID()}`;
  sessionStorage.setItem('live-session.user-id', userId);
  const query = new URLSearchParams({ room, name, role, userId });
  const response = await fetch(`/demo/dev-token?${query}`);
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.token !== 'string') {
    throw new Error(`The development token signer refused: ${body.error ?? `HTTP ${response.status}`}`);
  }
  return body.token;
}

let token = null;
let tokenProblem = '';
try {
  token = await tokenFor();
} catch (error) {
  tokenProblem = error instanceof Error ? error.message : String(error);
}
const element = document.createElement('live-session');
element.setAttribute('server', server);
element.setAttribute('topology', topology);
if (token) {
  element.setAttribute('token', token);
} else {
  element.setAttribute('room', room);
  element.setAttribute('name', name);
  element.setAttribute('user-role', role);
}
if (params.has('autojoin')) element.setAttribute('autojoin', '');
if (params.has('debug')) element.setAttribute('debug', '');
for (const type of events) {
  element.addEventListener(type, (event) => log(`${type} ${describe(type, event.detail)}`));
}
if (tokenProblem) {
  const problem = document.createElement('p');
  problem.className = 'note';
  problem.setAttribute('role', 'alert');
  problem.textContent = tokenProblem;
  document.querySelector('#session-slot').append(problem);
  log(tokenProblem);
} else {
  document.querySelector('#session-slot').append(element);
}

// Theme switch.
for (const radio of document.querySelectorAll('input[name="theme"]')) {
  radio.addEventListener('change', () => {
    document.body.className = radio.value === 'auto' ? '' : `theme-${radio.value}`;
  });
}

// Embed snippet for this room; what comes from the URL is escaped (see snippet.js).
const snippet = embedSnippet({
  origin: location.origin,
  server,
  room,
  name,
  role,
  topology,
  signed: Boolean(token) || Boolean(tokenProblem),
});
document.querySelector('#snippet').textContent = snippet;
document.querySelector('#copy').addEventListener('click', async () => {
  await navigator.clipboard.writeText(snippet).catch(() => undefined);
  log('snippet copied');
});
let tokenNote = 'This server runs in open development mode (no secret): room, name and role come from attributes. Start it with LIVE_SESSION_SECRET set to require signed tokens.';
if (token) {
  tokenNote = 'This server runs with a secret: the demo fetched a token from its development-only signer (on because the server was started with --dev-tokens). In production your backend signs it (see docs/embedding-lms.md).';
} else if (tokenProblem) {
  tokenNote = 'This server runs with a secret: each user needs a token signed by your backend (see docs/embedding-lms.md).';
}
document.querySelector('#token-note').textContent = tokenNote;

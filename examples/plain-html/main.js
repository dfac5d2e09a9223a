// @ts-check
// The room's settings come from the page's address: ?room=…&name=…&user-role=tutor|student.
// Demo only: a real page takes them from a signed join token. The server is this page's own
// origin (the default), never read from the address, where a crafted link could point it elsewhere.
// Type-checked as JavaScript (jsconfig.json): the tag map and event map come with the package.
/** @import { LiveSessionElement } from 'live-session' */

const params = new URLSearchParams(location.search);
/** @type {LiveSessionElement | null} */
const room = document.querySelector('live-session');
if (!room) throw new Error('<live-session> is missing');

room.room = params.get('room') ?? 'demo-room';
room.name = params.get('name') ?? 'Guest';
room.userRole = params.get('user-role') === 'tutor' ? 'tutor' : 'student';
room.video = { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } };
room.strings = { join: 'Enter the classroom' };

room.addEventListener('ls-participant-joined', (event) => {
  const item = document.createElement('li');
  item.textContent = `${event.detail.participant.name} joined`;
  document.getElementById('arrivals')?.append(item);
});
room.addEventListener('ls-error', (event) => {
  const alert = document.querySelector('[role="alert"]');
  if (alert instanceof HTMLElement) {
    alert.textContent = `${event.detail.code}: ${event.detail.message}`;
    alert.hidden = false;
  }
});

// Last, once the settings are in: join as soon as the camera is ready.
room.autojoin = true;

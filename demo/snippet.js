// The "Embed this room" snippet of the room page. Everything in it that comes
// from the URL (room, name) is escaped for an HTML attribute, so a crafted
// link cannot put markup into the code someone copies into their page.

/** Escapes text for a double- or single-quoted HTML attribute value (and for text content). */
export function escapeAttribute(value) {
  return String(value).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The embed code for one room: the script tag and one `<live-session>`.
 * With `signed`, the token is a placeholder (a backend signs it per user).
 */
export function embedSnippet({ origin, server, room, name, role, topology, signed }) {
  const script = `<script type="module" src="${escapeAttribute(`${origin}/dist/live-session.bundle.js`)}"></script>`;
  const attributes = signed
    ? [['server', server], ['token', '(signed by your backend for each user)']]
    : [['server', server], ['room', room], ['name', name], ['user-role', role], ...(topology === 'star' ? [['topology', 'star']] : [])];
  const element = `<live-session${attributes.map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`).join('')}></live-session>`;
  return `${script}\n${element}`;
}

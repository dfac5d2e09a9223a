/**
 * The room this demo page joins, from its address: ?room=…&name=…&user-role=tutor|student.
 *
 * Demo only: a real app takes the room, name and role from a signed join token
 * its backend mints (see docs/embedding-lms.md), and its own server's URL. The
 * server is never read from the address: a crafted link would otherwise send
 * the visitor's camera and microphone to someone else's server.
 */
export interface RoomParams {
  server: string;
  room: string;
  name: string;
  userRole: 'tutor' | 'student';
}

export function roomParams(search = location.search): RoomParams {
  const params = new URLSearchParams(search);
  return {
    server: location.origin,
    room: params.get('room') ?? 'demo-room',
    name: params.get('name') ?? 'Guest',
    userRole: params.get('user-role') === 'tutor' ? 'tutor' : 'student',
  };
}

/** Small video, so that many pages fit on one machine. */
export const SMALL_VIDEO = { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } };

/** The room this page joins, from its address: ?room=…&name=…&user-role=tutor|student&server=… */
export interface RoomParams {
  server: string;
  room: string;
  name: string;
  userRole: 'tutor' | 'student';
}

export function roomParams(search = location.search): RoomParams {
  const params = new URLSearchParams(search);
  return {
    server: params.get('server') ?? location.origin,
    room: params.get('room') ?? 'demo-room',
    name: params.get('name') ?? 'Guest',
    userRole: params.get('user-role') === 'tutor' ? 'tutor' : 'student',
  };
}

/** Small video, so that many pages fit on one machine. */
export const SMALL_VIDEO = { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } };

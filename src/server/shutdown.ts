/**
 * Graceful stop of a room server: no new sockets, every client told
 * (`LS-SHUTDOWN`) and closed with 1001, stragglers terminated after a grace.
 */
import { WebSocket, type WebSocketServer } from 'ws';
import { CLOSE_CODES } from '../protocol/index.js';
import type { MembershipSink } from './room-actions.js';
import type { RoomRegistry } from './room-registry.js';
import type { ServerLog } from './socket-gate.js';
import type { SocketSession } from './socket-session.js';

/** How long sockets get to close by themselves before they are terminated. */
export const SHUTDOWN_GRACE_MS = 1000;

export interface ShutdownParts {
  webSocketServer: WebSocketServer | undefined;
  sessions: Iterable<SocketSession>;
  registry: RoomRegistry<SocketSession>;
  log: ServerLog;
  /** Told of every member's leave and every room's end. */
  membership: MembershipSink;
  /** Stops the server's own timers (liveness, PeerJS housekeeping). */
  stopTimers(): void;
}

function socketClosed(session: SocketSession): Promise<void> {
  return new Promise<void>((resolve) => {
    if (session.socket.readyState === WebSocket.CLOSED) {
      resolve();
      return;
    }
    session.socket.once('close', () => {
      resolve();
    });
  });
}

export async function shutDown(parts: ShutdownParts): Promise<void> {
  const { webSocketServer, registry, log } = parts;
  parts.stopTimers();
  // Stop accepting sockets first; one that arrives during the grace would hold the close up.
  const serverClosed = new Promise<void>((resolve) => {
    if (webSocketServer) webSocketServer.close(() => resolve());
    else resolve();
  });
  const sessions = [...parts.sessions];
  log('info', 'shutdown', { connections: sessions.length, rooms: registry.size });
  const at = Date.now();
  for (const room of registry.all()) {
    for (const member of room.allMembers()) {
      log('info', 'leave', { room: room.name, peerId: member.info.id, userId: member.info.userId, reason: 'shutdown' });
      parts.membership.left({
        room: room.name,
        peerId: member.info.id,
        userId: member.info.userId,
        role: member.info.role,
        reason: 'shutdown',
        at,
      });
    }
    parts.membership.ended({ room: room.name, at });
  }
  registry.clear();
  const closed = sessions.map((session) => {
    const done = socketClosed(session);
    if (session.socket.readyState !== WebSocket.CLOSED) {
      session.membership = undefined;
      session.send({ type: 'LS-SHUTDOWN', payload: { message: 'The server is shutting down; reconnect in a moment.' } });
      if (session.isOpen) session.socket.close(CLOSE_CODES.goingAway, 'server shutting down');
    }
    return done;
  });
  const grace = new Promise<'late'>((resolve) => {
    setTimeout(() => {
      resolve('late');
    }, SHUTDOWN_GRACE_MS).unref();
  });
  const outcome = await Promise.race([Promise.all(closed), grace]);
  if (outcome === 'late') {
    for (const session of sessions) session.socket.terminate();
    await Promise.all(closed);
  }
  for (const socket of webSocketServer?.clients ?? []) socket.terminate();
  await serverClosed;
}

/**
 * Where room servers meet: the backend that says which process is home to a
 * room, which process holds a peer id, and carries messages between
 * processes. Two implementations: {@link MemoryBackend} (one process, the
 * default: every room is at home here) and the Redis backend
 * (`redis-backend.ts`: any number of processes sharing one Redis).
 */
import type { LeaveReason } from '../../protocol/index.js';

/** A message between two room server processes. */
export type ClusterMessage =
  /** Edge → home: a socket on the edge joins a room whose home is the receiver. */
  | { op: 'attach'; from: string; sid: string; peerId: string; token: string; address: string }
  /** Edge → home: a frame the socket sent, in order. */
  | { op: 'frame'; from: string; sid: string; data: string; binary: boolean }
  /** Home → edge: a frame for the socket. */
  | { op: 'send'; from: string; sid: string; text: string }
  /** Edge → home: the socket closed on the edge, its member leaves for `reason`. */
  | { op: 'detach'; from: string; sid: string; reason?: LeaveReason }
  /** Home → edge: close the socket with this code and text (or cut it). */
  | { op: 'close'; from: string; sid: string; code?: number; text?: string; terminate?: boolean }
  /**
   * Home → edge, every {@link ClusterBackend.livenessMs}: the edge's sockets attached
   * here. The edge detaches those it no longer has and closes (1012) those the home
   * has not named for a while: a message lost while Redis was away leaves neither a
   * member nobody hears from, nor a socket whose frames go nowhere.
   */
  | { op: 'check'; from: string; sids: string[]; joined?: string[] }
  /**
   * Home → edge: the socket became a member of a room here (or waits in one),
   * or stopped being one. Until then the edge counts it as outside every room,
   * for its caps on such sockets (`joined` of a `check` makes a lost one good).
   */
  | { op: 'joined'; from: string; sid: string; joined: boolean };

/** Outcome of claiming a peer id for a new socket. */
export type PeerClaim = 'ok' | 'taken';

export interface ClusterBackend {
  /** This process's id, unique among the processes sharing the backend. */
  readonly processId: string;
  /** Whether other processes share it (false: rooms are all at home here). */
  readonly shared: boolean;
  /** How long a silent process is taken for alive; homes and edges compare notes this often. */
  readonly livenessMs: number;
  /**
   * Claims a peer id for a socket that connects with PeerJS token `token`: taken
   * when a live process holds it under another token.
   */
  claimPeer(peerId: string, token: string): Promise<PeerClaim>;
  /** This process holds the peer id no more. */
  releasePeer(peerId: string): void;
  /** The process that is home to `room`, claiming it for this process when it has none. */
  homeOf(room: string): Promise<string>;
  /** This process is home to `room` no more. */
  releaseHome(room: string): void;
  /** Saves a room's state for the next process to be its home (undefined: nothing to keep). */
  saveRoomState(room: string, json: string | undefined, lifetimeMs: number): void;
  /** The state the room's previous home saved, if any. */
  loadRoomState(room: string): Promise<string | undefined>;
  /** Sends a message to another process (dropped when it is gone). */
  send(processId: string, message: ClusterMessage): void;
  /** Messages for this process, and processes found gone. */
  listen(listener: ClusterListener): void;
  /** Leaves the cluster: releases what this process holds, closes connections. */
  close(): Promise<void>;
}

export interface ClusterListener {
  message(message: ClusterMessage): void;
  /** A process this one exchanges messages with stopped answering (crashed, or cut off). */
  processLost(processId: string): void;
  /** What this process holds: peer ids of its open sockets (with their PeerJS tokens), and the rooms it is home to. */
  held(): { peers: Iterable<[peerId: string, token: string]>; rooms: Iterable<string> };
  /** The shared state may have been lost (e.g. Redis restarted): what {@link held} returns is being claimed again. */
  reclaiming(): void;
  /** Another process is now home to a room this one ran (claimed while Redis was away). */
  homeLost(room: string): void;
  /** Processes whose loss matters to this one. */
  watched(): Iterable<string>;
}

/** One process alone: every room is at home here; peer ids are unique through `peer` itself. */
export class MemoryBackend implements ClusterBackend {
  readonly processId = 'local';
  readonly shared = false;
  readonly livenessMs = Infinity;

  claimPeer(): Promise<PeerClaim> {
    return Promise.resolve('ok');
  }

  releasePeer(): void {
    // Nothing shared to release.
  }

  homeOf(): Promise<string> {
    return Promise.resolve(this.processId);
  }

  releaseHome(): void {
    // Nothing shared to release.
  }

  saveRoomState(): void {
    // A room never moves: nothing to save.
  }

  loadRoomState(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  send(processId: string): void {
    throw new Error(`No other process to send to (${processId}): the memory backend is one process.`);
  }

  listen(): void {
    // No other process ever speaks.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Helpers for tests that put several participants (several LiveSession
 * controllers) in one page, against a real room server.
 */
import { LiveSession, type LiveSessionOptions } from '../../src/core/live-session.js';
import type { Participant } from '../../src/core/events.js';
import { expectLiveVideo, showStream, uniqueId, waitFor, type StartedServer } from './helpers.js';

export const SMALL_VIDEO: MediaTrackConstraints = {
  width: { ideal: 320 },
  height: { ideal: 240 },
  frameRate: { ideal: 15 },
};

/** Every RTCPeerConnection created in this page, to prove that leaving closes them all. */
export const createdPeerConnections: RTCPeerConnection[] = [];
const NativePeerConnection = window.RTCPeerConnection;
if (!(NativePeerConnection as unknown as { counted?: boolean }).counted) {
  class CountedPeerConnection extends NativePeerConnection {
    static counted = true;
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      createdPeerConnections.push(this);
    }
  }
  window.RTCPeerConnection = CountedPeerConnection;
}

export function isClosed(pc: RTCPeerConnection): boolean {
  return pc.signalingState === 'closed' || pc.connectionState === 'closed';
}

export class Classroom {
  readonly sessions: LiveSession[] = [];
  readonly videos: HTMLVideoElement[] = [];
  readonly room = uniqueId('room');
  constructor(readonly server: StartedServer) {}

  create(name: string, role: 'tutor' | 'student', options: Partial<LiveSessionOptions> = {}): LiveSession {
    const session = new LiveSession({
      server: this.server.url,
      room: this.room,
      name,
      role,
      userId: uniqueId(name.toLowerCase().replace(/[^a-z0-9]+/g, '-')),
      storage: null,
      video: SMALL_VIDEO,
      audio: {},
      ...options,
    });
    this.sessions.push(session);
    return session;
  }

  async join(name: string, role: 'tutor' | 'student', options: Partial<LiveSessionOptions> = {}): Promise<LiveSession> {
    const session = this.create(name, role, options);
    await session.join();
    return session;
  }

  /** Proves by frames that `viewer` receives `subject`'s video. */
  async expectSees(viewer: LiveSession, subject: LiveSession, label?: string): Promise<void> {
    const text = label ?? `${viewer.name} sees ${subject.name}`;
    const participant = await waitFor(
      () => viewer.participants.find((p) => p.id === subject.peerId && p.stream?.getVideoTracks().length),
      `${text}: a stream arrives`,
    );
    const video = showStream(participant.stream as MediaStream);
    this.videos.push(video);
    await expectLiveVideo(video, text);
  }

  remote(viewer: LiveSession, subject: LiveSession): Participant | undefined {
    return viewer.participants.find((p) => p.id === subject.peerId);
  }

  async close(): Promise<void> {
    for (const video of this.videos.splice(0)) {
      video.srcObject = null;
      video.remove();
    }
    for (const session of this.sessions.splice(0)) session.destroy();
    await Promise.resolve();
  }
}

/** The ids of everyone `session` sees, itself included, sorted. */
export function roster(session: LiveSession): string[] {
  return session.participants.map((p) => `${p.name}:${p.role}`).sort();
}

/**
 * The harness itself: fake-media getUserMedia and a real PeerJS call between two
 * stock PeerJS peers in this page, signalled through a bare PeerServer and
 * through the live-session server (which stays a PeerServer: a stock client
 * only has to join a room first).
 */
import { expect } from '@esm-bundle/chai';
import { Peer, type MediaConnection } from 'peerjs';
import {
  SMALL_MEDIA,
  expectLiveVideo,
  showStream,
  uniqueId,
  useServer,
  waitFor,
  type StartedServer,
} from './helpers.js';

function openPeer(server: StartedServer, id: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const peer = new Peer(id, { host: '127.0.0.1', port: server.port, path: '/', secure: false });
    peer.once('open', () => resolve(peer));
    peer.once('error', reject);
  });
}

/** A stock PeerJS client joins a room by sending LS-JOIN on its own socket. */
async function joinRoom(peer: Peer, room: string): Promise<void> {
  const joined = new Promise<void>((resolve, reject) => {
    peer.socket.on('message', (message: { type: string; payload?: { message?: string } }) => {
      if (message.type === 'LS-JOINED') resolve();
      if (message.type === 'LS-ERROR') reject(new Error(message.payload?.message ?? 'refused'));
    });
  });
  peer.socket.send({ type: 'LS-JOIN', payload: { room, userId: peer.id, name: peer.id, role: 'student' } });
  await joined;
}

function remoteStream(call: MediaConnection): Promise<MediaStream> {
  return new Promise((resolve, reject) => {
    call.on('stream', (stream) => {
      if (stream.getVideoTracks().length > 0) resolve(stream);
    });
    call.on('error', reject);
  });
}

for (const kind of ['peer', 'room'] as const) {
  describe(`stock PeerJS client: a call through a ${kind === 'peer' ? 'bare PeerJS' : 'live-session'} server`, () => {
    const cleanups: (() => void)[] = [];
    // Registered first, so it runs before the fixture stops the server.
    after(() => {
      for (const cleanup of cleanups.splice(0)) cleanup();
    });
    const fixture = useServer({ kind });

    it('getUserMedia gives a live fake camera and microphone', async () => {
      const stream = await navigator.mediaDevices.getUserMedia(SMALL_MEDIA);
      cleanups.push(() => stream.getTracks().forEach((t) => t.stop()));
      expect(stream.getVideoTracks()).to.have.length(1);
      expect(stream.getAudioTracks()).to.have.length(1);
      expect(stream.getVideoTracks()[0]?.readyState).to.equal('live');
      const video = showStream(stream);
      cleanups.push(() => video.remove());
      await expectLiveVideo(video, 'local preview');
    });

    it('two peers call each other and each sees the other by frames', async () => {
      const [caller, callee] = await Promise.all([
        openPeer(fixture.current, uniqueId('caller')),
        openPeer(fixture.current, uniqueId('callee')),
      ]);
      cleanups.push(() => caller.destroy(), () => callee.destroy());
      if (kind === 'room') {
        const room = uniqueId('room');
        await joinRoom(caller, room);
        await joinRoom(callee, room);
      }
      const [callerMedia, calleeMedia] = await Promise.all([
        navigator.mediaDevices.getUserMedia(SMALL_MEDIA),
        navigator.mediaDevices.getUserMedia(SMALL_MEDIA),
      ]);
      cleanups.push(() => [...callerMedia.getTracks(), ...calleeMedia.getTracks()].forEach((t) => t.stop()));

      const answered = new Promise<MediaStream>((resolve, reject) => {
        callee.on('call', (call) => {
          call.answer(calleeMedia);
          remoteStream(call).then(resolve, reject);
        });
      });
      const call = caller.call(callee.id, callerMedia);
      const [atCaller, atCallee] = await Promise.all([remoteStream(call), answered]);

      const videoAtCaller = showStream(atCaller);
      const videoAtCallee = showStream(atCallee);
      cleanups.push(() => videoAtCaller.remove(), () => videoAtCallee.remove());
      await expectLiveVideo(videoAtCaller, 'callee video at the caller');
      await expectLiveVideo(videoAtCallee, 'caller video at the callee');

      const pc = call.peerConnection;
      call.close();
      await waitFor(() => pc.connectionState === 'closed' || pc.signalingState === 'closed', 'call closed');
    });
  });
}

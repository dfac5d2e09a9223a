/**
 * Media through a real TURN relay: coturn on loopback with TURN REST
 * credentials, the room server handing them out (`--turn-secret`,
 * `--turn-urls`), and a tutor and a student in relay-only mode. Each side's
 * selected candidate pair is of type relay, the video plays, the credentials
 * are renewed during the call, and a stranger's `GET /ice` carries none.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCoturn, type Coturn } from './coturn.js';
import { ChromiumDriver, FirefoxDriver, delay, startCliServer, uniqueRoom, waitFor, type CliServer, type Participant } from './harness.js';

const TURN_SECRET = 'relay-e2e-turn-secret-0123456789';
/** The shortest credential lifetime the server accepts: renewal comes at 80 % of it. */
const TURN_TTL_S = 60;

interface RelayView {
  /** Candidate types of each connection's selected pair, local/remote. */
  pairs: string[];
  /** TURN usernames each connection is configured with. */
  usernames: string[];
}

/** Each RTCPeerConnection of the page's session: selected pair types and configured TURN usernames. */
function relayView(participant: Participant): Promise<RelayView> {
  return participant.page.evaluate(async () => {
    const element = document.querySelector('live-session') as unknown as { session: { peerConnections: RTCPeerConnection[] } };
    const pairs: string[] = [];
    const usernames: string[] = [];
    for (const pc of element.session.peerConnections) {
      for (const server of pc.getConfiguration().iceServers ?? []) if (server.username) usernames.push(server.username);
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((report: Record<string, unknown>) => byId.set(report['id'] as string, report));
      for (const report of byId.values()) {
        const selected = report['type'] === 'candidate-pair' && (report['selected'] === true || report['nominated'] === true) && report['state'] === 'succeeded';
        if (!selected) continue;
        const local = byId.get(report['localCandidateId'] as string);
        const remote = byId.get(report['remoteCandidateId'] as string);
        pairs.push(`${String(local?.['candidateType'])}/${String(remote?.['candidateType'])}`);
      }
    }
    return { pairs, usernames };
  }, undefined);
}

// Firefox pages share one browser whose background tabs stop painting: the Firefox
// run pairs a Firefox student with a Chromium tutor, as the other mixed scenarios do.
for (const browserName of ['chromium', 'firefox'] as const) {
  void describe(`end to end, TURN relay (student in ${browserName})`, { timeout: 600_000 }, () => {
    let coturn: Coturn;
    let server: CliServer;
    let chromium: ChromiumDriver;
    let firefox: FirefoxDriver | undefined;

    before(async () => {
      coturn = await startCoturn(TURN_SECRET);
      server = await startCliServer({
        secret: undefined,
        extraArgs: ['--turn-secret', TURN_SECRET, '--turn-urls', coturn.url, '--turn-ttl', String(TURN_TTL_S)],
      });
      chromium = await ChromiumDriver.launch();
      if (browserName === 'firefox') firefox = await FirefoxDriver.launch();
    });
    after(async () => {
      await firefox?.close();
      await chromium.close();
      await server.stop();
      await coturn.stop();
    });

    void test('relay only: both sides connect through coturn and see each other; renewed credentials keep the call going', { timeout: 240_000 }, async () => {
      const stranger = (await (await fetch(`${server.url}ice`)).json()) as { iceServers: { username?: string; credential?: string }[] };
      assert.ok(stranger.iceServers.every((s) => s.username === undefined && s.credential === undefined), 'GET /ice hands out no TURN credential');

      const room = uniqueRoom('relay');
      const tutor = await chromium.open(server, { room, name: 'Tess', role: 'tutor', iceTransportPolicy: 'relay' });
      const student = await (firefox ?? chromium).open(server, { room, name: 'Sam', role: 'student', iceTransportPolicy: 'relay' });
      try {
        await tutor.joined();
        await student.joined();
        await student.expectSees('Tess');
        await tutor.expectSees('Sam');
        for (const participant of [tutor, student]) {
          const view = await waitFor(async () => {
            const seen = await relayView(participant);
            return seen.pairs.length > 0 ? seen : null;
          }, `${participant.name}: a selected candidate pair`);
          assert.ok(view.pairs.every((pair) => pair === 'relay/relay'), `${participant.name}: ${view.pairs.join(', ')}`);
        }
        const first = (await relayView(student)).usernames[0];
        assert.ok(first, 'the connection is configured with TURN credentials');
        assert.match(coturn.log(), /realm <live-session\.test> user <\d+:/, 'coturn authenticated the allocations');

        // Past the first credentials' lifetime: renewed, and the video still plays (once, in the Chromium run: it takes a minute).
        if (browserName === 'firefox') return;
        await delay(TURN_TTL_S * 1000 + 5000);
        const renewed = (await relayView(student)).usernames[0];
        assert.ok(renewed && renewed !== first, `renewed credentials (${first} → ${String(renewed)})`);
        assert.ok(Number(renewed.split(':')[0]) > Date.now() / 1000, 'the renewed credentials are still valid');
        await student.expectSees('Tess');
        await tutor.expectSees('Sam');
      } finally {
        await Promise.all([tutor.close(), student.close()]);
      }
    });
  });
}

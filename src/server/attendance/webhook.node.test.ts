/** The webhook sender against real local HTTP servers: signature, retries, redirects, timeouts, close. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { waitFor } from '../../../test/wait-for.js';
import type { LogEntry, LogLevel } from '../logger.js';
import { WebhookSender, verifyWebhookSignature, type WebhookTimings } from './webhook.js';
import { refusedUrl, startReceiver, type ReceivedRequest } from './webhook-receiver.node.test.js';

const SECRET = 'webhook-secret-for-the-tests';
const FAST: WebhookTimings = { timeoutMs: 2000, retryDelaysMs: [20, 20] };

function logs(): { entries: LogEntry[]; log: (level: LogLevel, event: string, fields?: Record<string, unknown>) => void } {
  const entries: LogEntry[] = [];
  return {
    entries,
    log: (level, event, fields = {}) => {
      entries.push({ time: new Date().toISOString(), level, event, ...fields });
    },
  };
}

/** The signature as a receiver computes it, with node:crypto only. */
function expectedSignature(request: ReceivedRequest): string {
  const timestamp = String(request.headers['x-live-session-timestamp']);
  return `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex')}`;
}

const given = (request: ReceivedRequest) => ({
  body: request.body,
  timestamp: request.headers['x-live-session-timestamp'] as string | undefined,
  signature: request.headers['x-live-session-signature'] as string | undefined,
});

void describe('attendance webhook sender', () => {
  void test('posts signed JSON; a receiver can check the signature and the time', async () => {
    const receiver = await startReceiver([200]);
    const { entries, log } = logs();
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET }, log, FAST);
    try {
      sender.send({ room: 'r1', participants: [] }, { room: 'r1' });
      const [request] = await receiver.waitForRequests(1);
      assert.ok(request);
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/hooks/attendance');
      assert.equal(request.headers['content-type'], 'application/json');
      const delivered = JSON.parse(request.body) as { delivery: string };
      assert.deepEqual(delivered, { delivery: request.headers['x-live-session-delivery'], room: 'r1', participants: [] }, 'the delivery id is in the signed body too');
      const timestamp = Number(request.headers['x-live-session-timestamp']);
      assert.ok(Math.abs(timestamp - Date.now() / 1000) < 60, 'the timestamp is now, in seconds');
      assert.equal(request.headers['x-live-session-signature'], expectedSignature(request));
      assert.match(String(request.headers['x-live-session-delivery']), /^[0-9a-f-]{36}$/);

      assert.equal(verifyWebhookSignature(SECRET, given(request)), true);
      assert.equal(verifyWebhookSignature(SECRET, { ...given(request), body: request.body.replace('r1', 'r2') }), false, 'tampered body');
      assert.equal(verifyWebhookSignature('another-secret-entirely', given(request)), false, 'other secret');
      assert.equal(verifyWebhookSignature(SECRET, given(request), { now: (timestamp + 301) * 1000 }), false, 'too old: a replay');
      assert.equal(verifyWebhookSignature(SECRET, { ...given(request), timestamp: String(timestamp + 1) }), false, 'timestamp changed');
      assert.equal(verifyWebhookSignature(SECRET, { ...given(request), signature: undefined }), false, 'no signature');

      await waitFor(() => entries.find((e) => e.event === 'attendance-webhook'), 'the delivery is logged');
      assert.deepEqual(
        entries.map((e) => [e.level, e.event, e['room'], e['attempt'], e['status']]),
        [['info', 'attendance-webhook', 'r1', 1, 200]],
      );
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  void test('a 500 is tried again with the same delivery id and body, freshly signed, until it is taken', async () => {
    const receiver = await startReceiver([500, 503, 202]);
    const { entries, log } = logs();
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET }, log, FAST);
    try {
      sender.send({ room: 'r2' }, { room: 'r2' });
      const requests = await receiver.waitForRequests(3);
      assert.equal(new Set(requests.map((r) => r.headers['x-live-session-delivery'])).size, 1);
      assert.equal(new Set(requests.map((r) => r.body)).size, 1);
      for (const request of requests) assert.equal(request.headers['x-live-session-signature'], expectedSignature(request));
      await waitFor(() => entries.find((e) => e.event === 'attendance-webhook'), 'the delivery is logged');
      assert.deepEqual(
        entries.map((e) => [e.level, e.event, e['attempt'], e['status'], e['retryInMs']]),
        [
          ['warn', 'attendance-webhook-failed', 1, 500, 20],
          ['warn', 'attendance-webhook-failed', 2, 503, 20],
          ['info', 'attendance-webhook', 3, 202, undefined],
        ],
      );
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  void test('after the last retry the delivery is given up, and logged so', async () => {
    const receiver = await startReceiver([500]);
    const { entries, log } = logs();
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET }, log, FAST);
    try {
      sender.send({ room: 'r3' }, { room: 'r3' });
      await waitFor(() => entries.find((e) => e['givenUp'] === true), 'the delivery is given up');
      assert.equal(receiver.received.length, 3, 'one attempt and two retries');
      assert.deepEqual(
        entries.map((e) => [e.event, e['attempt'], e['givenUp']]),
        [
          ['attendance-webhook-failed', 1, undefined],
          ['attendance-webhook-failed', 2, undefined],
          ['attendance-webhook-failed', 3, true],
        ],
      );
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  void test('a redirect is not followed and not retried', async () => {
    const elsewhere = await startReceiver([200]);
    const receiver = await startReceiver([(response) => response.writeHead(307, { Location: elsewhere.url }).end()]);
    const { entries, log } = logs();
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET }, log, FAST);
    try {
      sender.send({ room: 'r4' }, { room: 'r4' });
      await waitFor(() => entries.find((e) => e['givenUp'] === true), 'the delivery is given up');
      assert.equal(receiver.received.length, 1);
      // Given up means the one fetch has returned: had it followed the redirect, the request would have arrived.
      assert.equal(elsewhere.received.length, 0);
      assert.deepEqual(
        entries.map((e) => [e.event, e['status'], e['message']]),
        [['attendance-webhook-failed', 307, 'redirects are not followed']],
      );
    } finally {
      await sender.close();
      await receiver.close();
      await elsewhere.close();
    }
  });

  void test('a refused connection and a receiver that never answers are failures, retried', async () => {
    const url = await refusedUrl();
    const hanging = await startReceiver(['hang']);
    const { entries, log } = logs();
    const refused = new WebhookSender({ url, secret: SECRET }, log, FAST);
    const slow = new WebhookSender({ url: hanging.url, secret: SECRET }, log, { timeoutMs: 150, retryDelaysMs: [] });
    try {
      refused.send({ room: 'refused' }, { room: 'refused' });
      slow.send({ room: 'slow' }, { room: 'slow' });
      await waitFor(() => entries.filter((e) => e['givenUp'] === true).length === 2, 'both given up');
      const refusedLines = entries.filter((e) => e['room'] === 'refused');
      assert.equal(refusedLines.length, 3, 'retried twice');
      assert.match(String(refusedLines[0]?.['message']), /ECONNREFUSED/);
      const slowLines = entries.filter((e) => e['room'] === 'slow');
      assert.deepEqual(
        slowLines.map((e) => e['message']),
        ['no answer within 150 ms'],
      );
    } finally {
      await refused.close();
      await slow.close();
      await hanging.close();
    }
  });

  void test('close gives up the retries still waiting and resolves', async () => {
    const receiver = await startReceiver([500]);
    const { entries, log } = logs();
    const sender = new WebhookSender({ url: receiver.url, secret: SECRET }, log, { timeoutMs: 2000, retryDelaysMs: [60_000] });
    try {
      sender.send({ room: 'r5' }, { room: 'r5' });
      await waitFor(() => entries.find((e) => e['retryInMs'] === 60_000), 'a retry is planned');
      await sender.close();
      assert.equal(receiver.received.length, 1);
      assert.deepEqual(
        entries.map((e) => [e.event, e['givenUp'] ?? false]),
        [
          ['attendance-webhook-failed', false],
          ['attendance-webhook-failed', true],
        ],
      );
    } finally {
      await receiver.close();
    }
  });
});

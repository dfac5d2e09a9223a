import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitFor } from '../../test/wait-for.js';
import { TestClient, identity, withServer } from './test-client.node.test.js';

void describe('membership events of the room server', () => {
  void test('a lone member replaced by their own new tab is a leave and a join, not a room end; the last leave ends the room once', async () => {
    await withServer({}, async (server, opened) => {
      const seen: string[] = [];
      server.roomServer.on('join', (e) => seen.push(`join ${e.userId}${e.resumed ? ' resumed' : ''}`));
      server.roomServer.on('leave', (e) => seen.push(`leave ${e.userId} ${e.reason}`));
      server.roomServer.on('room-end', (e) => seen.push(`end ${e.room}`));
      const first = await TestClient.connect(server.webSocketUrl);
      opened.push(first);
      const who = identity('Ann', 'student', 'events-room');
      await first.join(who);
      const second = await TestClient.connect(server.webSocketUrl);
      opened.push(second);
      await second.join(who);
      second.send({ type: 'LS-LEAVE' });
      await waitFor(() => seen.includes('end events-room'), 'the room end');
      assert.deepEqual(seen, [
        'join ann-events-room',
        'leave ann-events-room replaced',
        'join ann-events-room',
        'leave ann-events-room left',
        'end events-room',
      ]);
    });
  });

  void test('a listener that throws is logged and does not keep the next listener from hearing', async () => {
    await withServer({}, async (server, opened) => {
      const heard: string[] = [];
      server.roomServer.on('join', () => {
        throw new Error('a broken listener');
      });
      server.roomServer.on('join', (e) => heard.push(e.userId));
      const client = await TestClient.connect(server.webSocketUrl);
      opened.push(client);
      await client.join(identity('Bo', 'student', 'events-throw'));
      assert.deepEqual(heard, ['bo-events-throw']);
      await waitFor(() => server.logs.some((entry) => entry.event === 'listener-error'), 'the broken listener is logged');
    });
  });
});

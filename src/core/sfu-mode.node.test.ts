// SFU rooms, the session's side: the proxy's URL for a ticket and the pause
// before asking for a fresh one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServerUrl } from './server-url.js';
import { retryDelayMs, sfuProxyUrl } from './sfu-mode.js';

describe('sfuProxyUrl', () => {
  const table: [string, string, string][] = [
    ['http on a port, root path', 'http://127.0.0.1:9000', 'ws://127.0.0.1:9000/sfu?ticket=t.1'],
    ['https without a port, mounted under a path', 'https://rtc.example.edu/live/', 'wss://rtc.example.edu/live/sfu?ticket=t.1'],
    ['a path without its trailing slash', 'https://rtc.example.edu:8443/live', 'wss://rtc.example.edu:8443/live/sfu?ticket=t.1'],
    ['an IPv6 host', 'http://[::1]:9000/', 'ws://[::1]:9000/sfu?ticket=t.1'],
  ];
  for (const [label, server, expected] of table) {
    it(label, () => assert.equal(sfuProxyUrl(parseServerUrl(server), 't.1'), expected));
  }
  it('the ticket is encoded', () => {
    assert.equal(sfuProxyUrl(parseServerUrl('http://h:1'), 'a+b/c=&d'), 'ws://h:1/sfu?ticket=a%2Bb%2Fc%3D%26d');
  });
});

describe('retryDelayMs', () => {
  it('1 s after the first failure, doubling, at most 8 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map(retryDelayMs), [1000, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
});

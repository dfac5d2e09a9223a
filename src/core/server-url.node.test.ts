/** Recording links from the server's list: only files under its own recordings/. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recordingFileUrl } from './server-url.js';

void describe('recordingFileUrl', () => {
  const base = 'https://class.example/live/';
  void test("a file under the server's recordings/ gets its absolute URL", () => {
    assert.equal(recordingFileUrl('recordings/0a1b-1-video-0.webm', base), 'https://class.example/live/recordings/0a1b-1-video-0.webm');
  });
  void test('anything else gets no link', () => {
    for (const path of [
      'javascript:alert(document.domain)//',
      'data:text/html,<script>alert(1)</script>',
      '//evil.example/recordings/x.webm',
      'https://evil.example/live/recordings/x.webm',
      '../recordings/x.webm',
      '/recordings/x.webm',
      'recordings/',
      'recordings/x.webm?download=1',
      'recordings/x.webm#t',
      'attendance/x.csv',
    ]) {
      assert.equal(recordingFileUrl(path, base), null, path);
    }
  });
});

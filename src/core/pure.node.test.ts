// Pure logic of the core, table-driven: grid layout, send limits, topology,
// server URL parsing, display-name cleaning, media error classification.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseGridLayout, pageGrid } from './grid-layout.js';
import { videoSendLimits, DEFAULT_VIDEO_BUDGET_BPS } from './send-limits.js';
import { recallerOf, shouldConnect } from './topology.js';
import { browserFamily, classifyMediaError, describeMediaFailure, type BrowserFamily } from './media.js';
import { parseServerUrl } from './server-url.js';
import { cleanName } from '../protocol/index.js';
import { detectBrowser } from '../script-tag/browser-details.js';
import { isActiveTcpCandidate } from './peer-guards.js';

describe('chooseGridLayout', () => {
  const table: [count: number, width: number, height: number, columns: number, rows: number][] = [
    [0, 800, 450, 0, 0],
    [1, 800, 450, 1, 1],
    [2, 800, 450, 2, 1],
    [2, 400, 900, 1, 2],
    [3, 800, 450, 2, 2],
    [4, 800, 450, 2, 2],
    [5, 1200, 450, 3, 2],
    [6, 1200, 500, 3, 2],
    [9, 1200, 700, 3, 3],
    [12, 1600, 700, 4, 3],
    [3, 0, 450, 0, 0],
  ];
  for (const [count, width, height, columns, rows] of table) {
    it(`${count} tiles in ${width}×${height} → ${columns}×${rows}`, () => {
      const layout = chooseGridLayout(count, width, height);
      assert.equal(layout.columns, columns);
      assert.equal(layout.rows, rows);
      if (count > 0 && width > 0) {
        assert.ok(layout.tileWidth * layout.columns <= width, 'fits the width');
        assert.ok(layout.tileHeight * layout.rows <= height, 'fits the height');
      }
    });
  }
});

describe('pageGrid', () => {
  const table: [count: number, width: number, height: number, perPage: number, pages: number][] = [
    [4, 800, 450, 4, 1],
    [12, 1600, 700, 12, 1],
    [30, 1280, 720, 30, 1],
    [3, 300, 150, 1, 3],
    [30, 360, 400, 8, 4],
    [200, 1280, 720, 49, 5],
    [1, 100, 60, 1, 1],
    [0, 800, 450, 0, 0],
  ];
  for (const [count, width, height, perPage, pages] of table) {
    it(`${count} tiles in ${width}×${height} → ${perPage} a page, ${pages} page(s)`, () => {
      const paged = pageGrid(count, width, height);
      assert.equal(paged.perPage, perPage);
      assert.equal(paged.pages, pages);
      if (perPage > 1) assert.ok(paged.layout.tileWidth >= 160, 'no tile below the readable width');
      // One more tile a page would be below it.
      if (pages > 1 && perPage > 0) assert.ok(chooseGridLayout(perPage + 1, width, height).tileWidth < 160, 'as many a page as fit');
    });
  }
  it('takes another minimum width', () => {
    const paged = pageGrid(30, 1280, 720, { minTileWidth: 300 });
    assert.deepEqual([paged.perPage, paged.pages], [16, 2]);
  });
});

describe('videoSendLimits', () => {
  const table: [peers: number, bitrate: number, scale: number, fps: number][] = [
    [0, 1_200_000, 1, 30],
    [1, 1_200_000, 1, 30],
    [2, 1_200_000, 1, 30],
    [3, 833_333, 1, 30],
    [4, 625_000, 1.5, 24],
    [8, 312_500, 2, 15],
    [12, 208_333, 2, 15],
    [30, 150_000, 2, 15],
  ];
  for (const [peers, bitrate, scale, fps] of table) {
    it(`${peers} peers → ${bitrate} bit/s, ÷${scale}, ${fps} fps`, () => {
      const limits = videoSendLimits(peers);
      assert.equal(limits.maxBitrate, bitrate);
      assert.equal(limits.scaleResolutionDownBy, scale);
      assert.equal(limits.maxFramerate, fps);
    });
  }
  it('a tutor with 12 students stays within the budget', () => {
    assert.ok(videoSendLimits(12).maxBitrate * 12 <= DEFAULT_VIDEO_BUDGET_BPS);
  });
});

describe('topology', () => {
  it('mesh connects everyone; star only pairs with the tutor', () => {
    assert.equal(shouldConnect('mesh', 'student', 'student'), true);
    assert.equal(shouldConnect('star', 'student', 'student'), false);
    assert.equal(shouldConnect('star', 'student', 'tutor'), true);
    assert.equal(shouldConnect('star', 'tutor', 'student'), true);
  });
  it('both sides agree on who re-calls', () => {
    assert.equal(recallerOf('ls-a', 'ls-b'), 'ls-a');
    assert.equal(recallerOf('ls-b', 'ls-a'), 'ls-a');
  });
});

describe('parseServerUrl', () => {
  const table: [input: string, host: string, port: number, path: string, secure: boolean][] = [
    ['https://rtc.example.edu', 'rtc.example.edu', 443, '/', true],
    ['https://rtc.example.edu/live/', 'rtc.example.edu', 443, '/live/', true],
    ['http://127.0.0.1:9000', '127.0.0.1', 9000, '/', false],
    ['http://[::1]:9000/x', '[::1]', 9000, '/x/', false],
    ['wss://rtc.example.edu:8443/rtc', 'rtc.example.edu', 8443, '/rtc/', true],
  ];
  for (const [input, host, port, path, secure] of table) {
    it(input, () => {
      const parsed = parseServerUrl(input);
      assert.deepEqual({ host: parsed.host, port: parsed.port, path: parsed.path, secure: parsed.secure }, { host, port, path, secure });
    });
  }
  it('resolves a relative URL against a base', () => {
    assert.equal(parseServerUrl('/rtc', 'https://lms.example.edu/course/1').base, 'https://lms.example.edu/rtc/');
  });
});

describe('cleanName', () => {
  const table: [string, string][] = [
    ['  Ada  ', 'Ada'],
    ['A\u0000d\u001fa', 'Ada'],
    ['\u202eevil', 'evil'],
    ['x'.repeat(100), 'x'.repeat(64)],
    ['\n\t', ''],
    ['<b>Bo</b>', '<b>Bo</b>'],
  ];
  for (const [input, output] of table) {
    it(JSON.stringify(input), () => assert.equal(cleanName(input), output));
  }
});

describe('classifyMediaError', () => {
  const table: [string, string][] = [
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotFoundError', 'missing'],
    ['OverconstrainedError', 'missing'],
    ['NotReadableError', 'busy'],
    ['AbortError', 'busy'],
    ['TypeError', 'unsupported'],
    ['WeirdError', 'failed'],
  ];
  for (const [name, problem] of table) {
    it(`${name} → ${problem}`, () => {
      const error = new Error('x');
      error.name = name;
      assert.equal(classifyMediaError(error).problem, problem);
    });
  }
});

describe('browserFamily', () => {
  const table: [string, BrowserFamily][] = [
    ['Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0', 'firefox'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36', 'chromium'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 Edg/156.0.0.0', 'chromium'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 'safari'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/156.0 Mobile/15E148 Safari/604.1', 'chromium'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Epiphany/46.0', 'other'],
  ];
  for (const [ua, family] of table) it(`${ua.slice(0, 60)}… → ${family}`, () => assert.equal(browserFamily(ua), family));
});

describe('describeMediaFailure: what went wrong, and how to fix it in this browser', () => {
  const table: [kind: 'camera' | 'microphone', problem: 'denied' | 'missing' | 'busy' | 'unsupported' | 'failed', browser: BrowserFamily, expected: RegExp][] = [
    ['camera', 'denied', 'chromium', /^Camera access was denied\. Click the site icon at the left of the address bar, set Camera to Allow, then turn it on again\.$/],
    ['microphone', 'denied', 'firefox', /^Microphone access was denied\. Click the crossed-out microphone icon in the address bar, remove the block/],
    ['camera', 'denied', 'safari', /Settings for This Website…, set Camera to Allow, then reload the page\.$/],
    ['camera', 'denied', 'other', /Allow it in the browser's site settings/],
    ['microphone', 'missing', 'chromium', /^No microphone was found\. Connect one, then turn it on again\.$/],
    ['camera', 'busy', 'firefox', /in use by another application.*Close other apps or tabs that may use it/],
    ['camera', 'unsupported', 'chromium', /needs HTTPS/],
    ['microphone', 'failed', 'safari', /^Microphone could not be started\.$/],
  ];
  for (const [kind, problem, browser, expected] of table) {
    it(`${kind} ${problem} in ${browser}`, () => assert.match(describeMediaFailure(kind, problem, browser), expected));
  }
});

describe('detectBrowser (the bundle\'s stand-in for webrtc-adapter)', () => {
  const table: [string, string, number | null][] = [
    ['Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0', 'firefox', 153],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36', 'chrome', 156],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'safari', 605],
    ['curl/8.0', 'Not a supported browser.', null],
  ];
  for (const [ua, browser, version] of table) {
    it(`${browser} ${String(version)}`, () => assert.deepEqual(detectBrowser(ua), { browser, version }));
  }
});

describe('isActiveTcpCandidate', () => {
  const frame = (candidate: string): unknown => ({ type: 'CANDIDATE', payload: { candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 }, type: 'media', connectionId: 'mc_1' }, dst: 'x' });
  it('active TCP host candidates are the ones no browser can pair', () => {
    assert.equal(isActiveTcpCandidate(frame('candidate:1 1 tcp 1518214911 192.0.2.2 9 typ host tcptype active generation 0 ufrag a network-id 1')), true);
    assert.equal(isActiveTcpCandidate(frame('candidate:1 1 TCP 1518214911 fd00::2 9 typ host tcptype active')), true);
  });
  it('UDP, passive TCP, relay and other frames pass', () => {
    assert.equal(isActiveTcpCandidate(frame('candidate:1 1 udp 2122194687 192.0.2.2 32971 typ host generation 0')), false);
    assert.equal(isActiveTcpCandidate(frame('candidate:2 1 tcp 1518214911 192.0.2.2 443 typ host tcptype passive')), false);
    assert.equal(isActiveTcpCandidate(frame('candidate:3 1 udp 41885439 203.0.113.5 3478 typ relay raddr 0.0.0.0 rport 0')), false);
    assert.equal(isActiveTcpCandidate({ type: 'OFFER', payload: { sdp: 'tcptype active' } }), false);
    assert.equal(isActiveTcpCandidate({ type: 'CANDIDATE', payload: null }), false);
    assert.equal(isActiveTcpCandidate(null), false);
    assert.equal(isActiveTcpCandidate('CANDIDATE tcp tcptype active'), false);
  });
});

/**
 * Real network faults for the end-to-end suite: one participant's browser runs
 * inside its own network namespace, joined to the host by a veth pair, and
 * nftables rules inside that namespace drop its packets (all of them for an
 * outage, a random share for loss). The kernel's own TCP and ICE machinery sees
 * a real outage; nothing in the page or the server is told about it.
 *
 * Needs root (or CAP_NET_ADMIN), `ip` (iproute2) and `nft` (nftables); the
 * test setup installs the two packages when missing. Every namespace made here
 * is removed again, and stale ones from a crashed run are swept at creation.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumPath } from '../scripts/browsers.mjs';

/** Every namespace and veth made here starts with this, so a sweep finds only ours. */
const PREFIX = 'lsfault';

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function succeeds(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/**
 * Why namespaces cannot be used here, or null when they can. The suite skips
 * the fault scenarios with this message only where it is not null.
 */
export function netnsUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the suite as root)';
  if (!succeeds('ip', ['-V'])) return '`ip` (iproute2) is not installed';
  if (!succeeds('nft', ['--version'])) return '`nft` (nftables) is not installed';
  const probe = `${PREFIX}probe${process.pid}`;
  if (!succeeds('ip', ['netns', 'add', probe])) return '`ip netns add` is not permitted in this environment';
  succeeds('ip', ['netns', 'del', probe]);
  return null;
}

/** Removes namespaces and veth ends left by an earlier run that crashed. */
function sweepStale(): void {
  let names = '';
  try {
    names = run('ip', ['netns', 'list']);
  } catch {
    return;
  }
  for (const line of names.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(/^lsfault(\d+)n/.exec(name)?.[1]);
    // Leave alone the namespaces of a run that is still going.
    if (pid && pid !== process.pid && processAlive(pid)) continue;
    succeeds('ip', ['netns', 'del', name]);
  }
  let links = '';
  try {
    links = run('ip', ['-o', 'link', 'show']);
  } catch {
    return;
  }
  for (const match of links.matchAll(/^\d+: (lsh[^@:]+)[@:]/gm)) {
    const name = match[1] ?? '';
    const pid = Number(/^lsh(\d+)x/.exec(name)?.[1]);
    if (pid && pid !== process.pid && processAlive(pid)) continue;
    succeeds('ip', ['link', 'del', name]);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let created = 0;

/**
 * A network namespace with one veth link to the host: the host end has
 * `hostIp`, the namespace end `nsIp` (a /30 of our own). The namespace has no
 * default route, so nothing it sends can go anywhere but to this host.
 */
export class FaultNamespace {
  private readonly dir: string;

  private constructor(
    readonly name: string,
    readonly hostVeth: string,
    readonly hostIp: string,
    readonly nsIp: string,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'live-session-netns-'));
  }

  static create(): FaultNamespace {
    sweepStale();
    const index = created++;
    const name = `${PREFIX}${process.pid}n${index}`;
    // veth names are limited to 15 characters.
    const hostVeth = `lsh${process.pid % 100000}x${index}`;
    const nsVeth = `lsn${process.pid % 100000}x${index}`;
    // A /30 per namespace: 10.213.<a>.<b*4 + 1|2>, spread by pid so parallel runs do not collide.
    const slot = (process.pid * 8 + index) % 16384;
    const base = `10.213.${Math.floor(slot / 64)}`;
    const offset = (slot % 64) * 4;
    const hostIp = `${base}.${offset + 1}`;
    const nsIp = `${base}.${offset + 2}`;
    const ns = new FaultNamespace(name, hostVeth, hostIp, nsIp);
    try {
      run('ip', ['netns', 'add', name]);
      run('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth]);
      run('ip', ['link', 'set', nsVeth, 'netns', name]);
      run('ip', ['addr', 'add', `${hostIp}/30`, 'dev', hostVeth]);
      run('ip', ['link', 'set', hostVeth, 'up']);
      run('ip', ['netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsVeth]);
      run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', nsVeth, 'up']);
      run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    } catch (error) {
      ns.remove();
      throw error;
    }
    return ns;
  }

  /** An executable that starts Chromium inside this namespace (for playwright's `executablePath`). */
  chromiumWrapper(): string {
    const path = join(this.dir, 'chromium-in-namespace.sh');
    writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${this.name} ${chromiumPath} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  /** Drops every packet in and out of the namespace (loopback inside it still works). */
  cut(): void {
    this.applyRules('drop');
  }

  /** Drops `percent` % of the packets in each direction, at random. */
  loss(percent: number): void {
    this.applyRules(`accept`, `numgen random mod 100 < ${Math.round(percent)} drop`);
  }

  /**
   * Drops the UDP packets of one local port, both ways, and nothing else: one
   * media path dies while signalling (TCP) and every other port keep working,
   * as when a NAT forgets a mapping.
   */
  dropUdpPort(port: number): void {
    const rule = `udp sport ${port} drop; udp dport ${port} drop`;
    this.applyRules('accept', rule);
  }

  /** Lets everything through again. */
  restore(): void {
    succeeds('ip', ['netns', 'exec', this.name, 'nft', 'delete', 'table', 'inet', 'fault']);
  }

  private applyRules(policy: 'drop' | 'accept', rule = ''): void {
    this.restore();
    const ruleset = [
      'table inet fault {',
      `  chain input { type filter hook input priority 0; policy ${policy}; iif "lo" accept; ${rule}${rule ? ';' : ''} }`,
      `  chain output { type filter hook output priority 0; policy ${policy}; oif "lo" accept; ${rule}${rule ? ';' : ''} }`,
      '}',
      '',
    ].join('\n');
    run('ip', ['netns', 'exec', this.name, 'nft', '-f', '-'], ruleset);
  }

  /** Removes the namespace (its processes' sockets go with it) and the host end of the link. */
  remove(): void {
    succeeds('ip', ['link', 'del', this.hostVeth]);
    succeeds('ip', ['netns', 'del', this.name]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * PeerJS's `Peer` class, however the package is loaded. Bundlers read its ES
 * module, whose named export is there; Node (server-side rendering, unit tests
 * under jsdom) loads its CommonJS build, whose named exports Node cannot see, so
 * the class is taken from the default export there.
 */
import * as peerjs from 'peerjs';
import type { Peer as PeerClass } from 'peerjs';

type PeerConstructor = typeof PeerClass;

const fromNamespace = (peerjs as { Peer?: PeerConstructor }).Peer;
const fromDefault = (peerjs as unknown as { default?: { Peer?: PeerConstructor } }).default?.Peer;

export const Peer: PeerConstructor = (fromNamespace ?? fromDefault) as PeerConstructor;
export type Peer = PeerClass;

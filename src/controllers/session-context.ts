import { createContext } from '@lit/context';
import type { LiveSession } from '../core/live-session.js';

/** `<live-session>` provides its controller under this key; the other elements consume it. */
export const sessionContext = createContext<LiveSession | undefined>(Symbol.for('live-session.session'));

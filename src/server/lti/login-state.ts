/**
 * The OIDC `state` of a login, kept by nobody but the browser: the platform
 * it is for, the nonce, when it expires and the storage frame, signed with a
 * key derived from the server's secret. Logins therefore cost the server no
 * memory (a flood of login requests cannot crowd out real ones); single use
 * comes from the nonce, which a verified launch spends.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LoginState {
  /** Index of the platform in the configuration. */
  platform: number;
  nonce: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** `lti_storage_target` of the login, when the platform offers postMessage storage. */
  storageTarget?: string;
}

export class LoginStates {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = createHmac('sha256', secret).update('live-session lti login state').digest();
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }

  seal(state: LoginState): string {
    const body = Buffer.from(
      JSON.stringify([state.platform, state.nonce, state.expiresAt, ...(state.storageTarget === undefined ? [] : [state.storageTarget])]),
    ).toString('base64url');
    return `${body}.${this.#mac(body)}`;
  }

  /** The state, or why not: `forged` (not ours, or altered) or `expired`. */
  open(sealed: string, now = Date.now()): LoginState | 'forged' | 'expired' {
    const dot = sealed.indexOf('.');
    if (dot <= 0 || sealed.length > 1024) return 'forged';
    const body = sealed.slice(0, dot);
    const given = Buffer.from(sealed.slice(dot + 1));
    const expected = Buffer.from(this.#mac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return 'forged';
    }
    if (!Array.isArray(fields)) return 'forged';
    const [platform, nonce, expiresAt, storageTarget] = fields as unknown[];
    if (typeof platform !== 'number' || typeof nonce !== 'string' || typeof expiresAt !== 'number') return 'forged';
    if (expiresAt <= now) return 'expired';
    return { platform, nonce, expiresAt, ...(typeof storageTarget === 'string' ? { storageTarget } : {}) };
  }

  /** A short name for the state's cookie (the end of its signature). */
  cookieName(sealed: string): string {
    return `ls_lti_${sealed.slice(-22).replace(/[^\w-]/g, '_')}`;
  }
}

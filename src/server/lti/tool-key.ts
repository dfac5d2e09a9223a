/**
 * The tool's own RSA key: signs deep-linking responses and the client
 * assertions of grade passback; its public half is served at `lti/jwks`.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const TOOL_KEY_ALGORITHM = 'RS256';

/** The key pair, ready to sign, and the public keyset to publish. */
export interface ToolKey {
  kid: string;
  privateKey: CryptoKey;
  /** `{ keys: [publicJwk] }`, with `kid`, `alg` and `use`. */
  jwks: { keys: JWK[] };
}

async function fromPrivateJwk(jwk: JWK): Promise<ToolKey> {
  if (jwk.kty !== 'RSA' || typeof jwk.d !== 'string' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
    throw new TypeError('lti: the key file must hold a private RSA JWK');
  }
  const publicJwk: JWK = { kty: 'RSA', n: jwk.n, e: jwk.e };
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  const privateKey = await importJWK({ ...jwk, alg: TOOL_KEY_ALGORITHM }, TOOL_KEY_ALGORITHM);
  if (!(privateKey instanceof CryptoKey)) throw new TypeError('lti: the key file must hold an asymmetric key');
  return { kid, privateKey, jwks: { keys: [{ ...publicJwk, kid, alg: TOOL_KEY_ALGORITHM, use: 'sig' }] } };
}

async function generate(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(TOOL_KEY_ALGORITHM, { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' });
  jwk.alg = TOOL_KEY_ALGORITHM;
  return jwk;
}

/**
 * Reads the key from `file`, or makes one and writes it there (mode 0600, written
 * whole then renamed, so a crash never leaves half a key). Without a file the key
 * lives in memory only.
 */
export async function loadToolKey(file: string | undefined): Promise<ToolKey> {
  if (file === undefined) return fromPrivateJwk(await generate());
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      throw new TypeError(`lti: the key file ${file} is not JSON`);
    }
    return fromPrivateJwk(jwk as JWK);
  }
  const jwk = await generate();
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
  return fromPrivateJwk(jwk);
}

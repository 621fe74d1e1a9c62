import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password sync (RFC 7643 §4.1.1 `password`): only a memory-hard scrypt hash is kept. The format
 * `scrypt$N$r$p$salt$hash` carries its parameters so that they can be raised later: a hash made
 * with a lower cost than the configured one is replaced at the next successful check
 * (docs/password-sync.md). scrypt runs on libuv's thread pool, never on the event loop.
 */
export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** The cost for a configured N (SCIMD_PASSWORD_SCRYPT_N); r and p stay at scrypt's usual 8 and 1. */
export const scryptCost = (N: number): ScryptCost => ({ N, r: 8, p: 1 });

export const DEFAULT_SCRYPT_COST: ScryptCost = scryptCost(16384);
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // 128·N·r bytes; twice that leaves room for scrypt's other buffers.
    const maxmem = Math.max(64 * 1024 * 1024, 256 * (options.N ?? 0) * (options.r ?? 0));
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** The parameters a stored hash was made with; undefined when it is not one of ours. */
function parse(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash || rest.length > 0) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every((v) => Number.isSafeInteger(v) && v > 0)) return undefined;
  return { cost, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(hash, 'base64url') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  try {
    const key = await derive(password, parsed.salt, parsed.cost);
    return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  } catch {
    // Parameters scrypt refuses (N not a power of two, beyond memory): no password matches.
    return false;
  }
}

/** Whether a stored hash was made with less work than `cost` asks for (or is not one of ours). */
export function needsRehash(stored: string, cost: ScryptCost): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  return parsed.cost.N < cost.N || parsed.cost.r < cost.r || parsed.cost.p < cost.p;
}

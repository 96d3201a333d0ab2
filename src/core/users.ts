/**
 * User store: credentials are kept as SCRAM-SHA-256 verifiers (and an MD5 hash when a plain
 * password was configured, since MD5 auth cannot be served from a SCRAM verifier). Plain
 * passwords never outlive loading.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

export interface UserRecord {
  readonly username: string;
  readonly scram: ScramVerifier;
  /** md5(password + username) hex, PostgreSQL's stored form (without the 'md5' prefix). */
  readonly md5?: string;
  readonly groups: readonly string[];
}

const SCRAM_ITERATIONS = 4096;

/** Derive a SCRAM-SHA-256 verifier from a password (RFC 5802 / 7677). */
export function scramVerifierFromPassword(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): ScramVerifier {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return { iterations, salt, storedKey, serverKey };
}

/** Parse PostgreSQL's verifier text: SCRAM-SHA-256$<iter>:<salt b64>$<StoredKey b64>:<ServerKey b64>. */
export function parseScramVerifier(text: string): ScramVerifier {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!m) throw new Error('scramVerifier must look like SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>');
  return { iterations: Number(m[1]), salt: Buffer.from(m[2]!, 'base64'), storedKey: Buffer.from(m[3]!, 'base64'), serverKey: Buffer.from(m[4]!, 'base64') };
}

/** Format a verifier the way PostgreSQL stores it. */
export function formatScramVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

/** Check a cleartext password against a verifier in constant time. */
export function verifyPassword(v: ScramVerifier, password: string): boolean {
  const candidate = scramVerifierFromPassword(password, v.salt, v.iterations);
  return timingSafeEqual(candidate.storedKey, v.storedKey);
}

/** Equal-length constant-time comparison of two strings or buffers. */
export function constantTimeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const ab = typeof a === 'string' ? Buffer.from(a) : a;
  const bb = typeof b === 'string' ? Buffer.from(b) : b;
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** Users by name, loaded once from config. */
export class UserStore {
  private readonly users = new Map<string, UserRecord>();

  /** `authRequired=false` means any user name is accepted without a password. */
  constructor(
    users: readonly { username: string; password?: string; scramVerifier?: string; groups?: readonly string[] }[],
    readonly authRequired: boolean,
  ) {
    for (const u of users) {
      const scram = u.scramVerifier !== undefined ? parseScramVerifier(u.scramVerifier) : scramVerifierFromPassword(u.password!);
      const md5 = u.password !== undefined ? createHash('md5').update(u.password + u.username).digest('hex') : undefined;
      this.users.set(u.username, { username: u.username, scram, md5, groups: u.groups ?? [] });
    }
  }

  /** The user record, or undefined when unknown. */
  get(username: string): UserRecord | undefined {
    return this.users.get(username);
  }
}

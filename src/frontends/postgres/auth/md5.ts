/** PostgreSQL MD5 password authentication: 'md5' + md5(md5(password + user) + salt). */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../../../core/users.js';

const FAKE_SECRET = randomBytes(32);

/** A fresh 4-byte salt. */
export function md5Salt(): Buffer {
  return randomBytes(4);
}

/** Check a client's md5 response; `storedMd5` undefined (unknown user) always fails after equal work. */
export function verifyMd5Response(response: string, storedMd5: string | undefined, username: string, salt: Buffer): boolean {
  const stored = storedMd5 ?? createHmac('md5', FAKE_SECRET).update(username).digest('hex');
  const expected = 'md5' + createHash('md5').update(stored).update(salt).digest('hex');
  return constantTimeEqual(response, expected) && storedMd5 !== undefined;
}

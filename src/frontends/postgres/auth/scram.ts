/**
 * Server side of SCRAM-SHA-256 (RFC 5802 / 7677) as PostgreSQL speaks it, without channel
 * binding (we advertise only SCRAM-SHA-256). An unknown user gets a complete exchange with a
 * salt derived from a process secret, so the reply cannot tell unknown from wrong.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { qfError } from '../../../core/errors.js';
import { constantTimeEqual, type ScramVerifier } from '../../../core/users.js';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
const FAKE_SECRET = randomBytes(32);
const FAKE_ITERATIONS = 4096;

function protocolError(detail: string): Error {
  return qfError('QF_PROTOCOL_VIOLATION', { detail: `malformed SCRAM message: ${detail}` });
}

/** Parse 'k=v,k=v' attributes (values may contain '='). */
function attributes(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw protocolError(`bad attribute "${part.slice(0, 20)}"`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** One SCRAM exchange for one connection. */
export class ScramExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';
  private readonly verifier: ScramVerifier;
  private readonly known: boolean;

  /** `verifier` undefined means an unknown user: run a fake exchange that always fails. */
  constructor(verifier: ScramVerifier | undefined, username: string) {
    this.known = verifier !== undefined;
    this.verifier = verifier ?? {
      iterations: FAKE_ITERATIONS,
      salt: createHmac('sha256', FAKE_SECRET).update(`salt:${username}`).digest().subarray(0, 16),
      storedKey: createHmac('sha256', FAKE_SECRET).update(`stored:${username}`).digest(),
      serverKey: createHmac('sha256', FAKE_SECRET).update(`server:${username}`).digest(),
    };
  }

  /** Handle client-first-message; returns server-first-message. */
  start(clientFirst: string): string {
    // gs2-header: cbind-flag "," [authzid] ","
    const c1 = clientFirst.indexOf(',');
    const c2 = c1 < 0 ? -1 : clientFirst.indexOf(',', c1 + 1);
    if (c2 < 0) throw protocolError('missing GS2 header');
    const flag = clientFirst.slice(0, c1);
    if (flag.startsWith('p=')) throw qfError('QF_AUTH_METHOD', { detail: 'SCRAM channel binding was requested but is not offered' });
    if (flag !== 'n' && flag !== 'y') throw protocolError('bad channel binding flag');
    if (clientFirst.slice(c1 + 1, c2) !== '') throw qfError('QF_AUTH_METHOD', { detail: 'SCRAM authorization identity is not supported' });
    this.gs2Header = clientFirst.slice(0, c2 + 1);
    this.clientFirstBare = clientFirst.slice(c2 + 1);
    const attrs = attributes(this.clientFirstBare);
    const clientNonce = attrs.get('r');
    if (clientNonce === undefined || clientNonce === '' || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw protocolError('bad client nonce');
    if (attrs.has('m')) throw protocolError('unsupported mandatory extension');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** Handle client-final-message; returns server-final-message on success, undefined on a wrong password. */
  finish(clientFinal: string): string | undefined {
    const p = clientFinal.lastIndexOf(',p=');
    if (p < 0) throw protocolError('missing proof');
    const withoutProof = clientFinal.slice(0, p);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) throw protocolError('channel binding data mismatch');
    if (attrs.get('r') !== this.nonce) throw protocolError('nonce mismatch');
    const proof = Buffer.from(clientFinal.slice(p + 3), 'base64');
    if (proof.length !== 32) throw protocolError('bad proof length');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = createHmac('sha256', this.verifier.storedKey).update(authMessage).digest();
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const ok = constantTimeEqual(createHash('sha256').update(clientKey).digest(), this.verifier.storedKey) && this.known;
    if (!ok) return undefined;
    const serverSignature = createHmac('sha256', this.verifier.serverKey).update(authMessage).digest();
    return `v=${serverSignature.toString('base64')}`;
  }
}

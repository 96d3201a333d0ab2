/**
 * The authentication exchange after a StartupMessage: trust, cleartext password, MD5 or
 * SCRAM-SHA-256 against the UserStore. Unknown users go through the same exchange as known ones
 * and get the same 28P01 error as a wrong password.
 */
import { qfError, type QueryFluxError } from '../../../core/errors.js';
import { scramVerifierFromPassword, verifyPassword, type ScramVerifier, type UserStore } from '../../../core/users.js';
import type { PgWriter } from '../protocol/writer.js';
import { md5Salt, verifyMd5Response } from './md5.js';
import { SCRAM_MECHANISM, ScramExchange } from './scram.js';

/** Authentication methods the PostgreSQL frontend offers. */
export type PgAuthMethod = 'scram-sha-256' | 'md5' | 'password' | 'trust';

/** What the exchange needs from the connection. */
export interface AuthIo {
  readonly writer: PgWriter;
  flush(): Promise<void>;
  /** Body of the next 'p' message; undefined when the client left or sent something else. */
  nextPassword(): Promise<Buffer | undefined>;
}

/** ok, or failed with the error to send as FATAL (undefined when the client simply went away). */
export type AuthOutcome = { readonly ok: true } | { readonly ok: false; readonly error?: QueryFluxError };

let dummyVerifier: ScramVerifier | undefined;

/** Verifier used to spend the same work on unknown users as on known ones (cleartext method). */
function dummy(): ScramVerifier {
  dummyVerifier ??= scramVerifierFromPassword(`dummy-${Math.random()}`);
  return dummyVerifier;
}

function cstring(b: Buffer, from = 0): { value: string; next: number } {
  const z = b.indexOf(0, from);
  if (z < 0) throw qfError('QF_PROTOCOL_VIOLATION', { detail: 'password message is not terminated' });
  return { value: b.toString('utf8', from, z), next: z + 1 };
}

/** Run the exchange for `user`; on success AuthenticationOk has been appended to the writer. */
export async function authenticate(io: AuthIo, users: UserStore, method: PgAuthMethod, user: string): Promise<AuthOutcome> {
  const failed = (): AuthOutcome => ({ ok: false, error: qfError('QF_AUTH_FAILED', { user }) });
  if (!users.authRequired || method === 'trust') {
    io.writer.authenticationOk();
    return { ok: true };
  }
  const record = users.get(user);
  // Like PostgreSQL: md5 falls back to SCRAM when only a SCRAM verifier is stored.
  const effective = method === 'md5' && record !== undefined && record.md5 === undefined ? 'scram-sha-256' : method;
  if (effective === 'password') {
    io.writer.authenticationCleartextPassword();
    await io.flush();
    const msg = await io.nextPassword();
    if (msg === undefined) return { ok: false };
    const password = cstring(msg).value;
    const ok = record !== undefined ? verifyPassword(record.scram, password) : verifyPassword(dummy(), password) && false;
    if (!ok) return failed();
  } else if (effective === 'md5') {
    const salt = md5Salt();
    io.writer.authenticationMd5Password(salt);
    await io.flush();
    const msg = await io.nextPassword();
    if (msg === undefined) return { ok: false };
    if (!verifyMd5Response(cstring(msg).value, record?.md5, user, salt)) return failed();
  } else {
    io.writer.authenticationSasl([SCRAM_MECHANISM]);
    await io.flush();
    const first = await io.nextPassword();
    if (first === undefined) return { ok: false };
    const mech = cstring(first);
    if (mech.value !== SCRAM_MECHANISM) return { ok: false, error: qfError('QF_AUTH_METHOD', { detail: `SASL mechanism "${mech.value}"; offered ${SCRAM_MECHANISM}` }) };
    if (mech.next + 4 > first.length) throw qfError('QF_PROTOCOL_VIOLATION', { detail: 'SASLInitialResponse is truncated' });
    const len = first.readInt32BE(mech.next);
    const data = first.subarray(mech.next + 4);
    if (len !== data.length) throw qfError('QF_PROTOCOL_VIOLATION', { detail: 'SASLInitialResponse length mismatch' });
    const exchange = new ScramExchange(record?.scram, user);
    io.writer.authenticationSaslContinue(exchange.start(data.toString('utf8')));
    await io.flush();
    const final = await io.nextPassword();
    if (final === undefined) return { ok: false };
    const serverFinal = exchange.finish(final.toString('utf8'));
    if (serverFinal === undefined) return failed();
    io.writer.authenticationSaslFinal(serverFinal);
  }
  io.writer.authenticationOk();
  return { ok: true };
}

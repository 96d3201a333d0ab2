import { describe, expect, it } from 'vitest';
import { ERROR_CODES, QueryFluxError, qfError, toQueryFluxError } from '../../src/core/errors.js';
import { UserStore, constantTimeEqual, formatScramVerifier, parseScramVerifier, scramVerifierFromPassword, verifyPassword } from '../../src/core/users.js';

describe('users', () => {
  it('keeps SCRAM verifiers, never the password', () => {
    const store = new UserStore([{ username: 'demo', password: 'pa55word' }], true);
    const u = store.get('demo')!;
    expect(JSON.stringify(u)).not.toContain('pa55word');
    expect(verifyPassword(u.scram, 'pa55word')).toBe(true);
    expect(verifyPassword(u.scram, 'nope')).toBe(false);
    expect(u.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(store.get('other')).toBeUndefined();
  });

  it('parses and formats PostgreSQL verifier text', () => {
    const v = scramVerifierFromPassword('pw');
    const text = formatScramVerifier(v);
    expect(text).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(verifyPassword(parseScramVerifier(text), 'pw')).toBe(true);
    expect(() => parseScramVerifier('md5abc')).toThrow(/SCRAM-SHA-256\$<iterations>/);
  });

  it('compares in constant time including different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('error registry', () => {
  it('maps every code for every protocol', () => {
    for (const [code, def] of Object.entries(ERROR_CODES)) {
      expect(def.map.sqlstate, code).toMatch(/^[0-9A-Z]{5}$/);
      expect(def.map.mysqlErrno, code).toBeGreaterThan(0);
      expect(def.map.mysqlState, code).toMatch(/^[0-9A-Z]{5}$/);
      expect(def.map.trinoName, code).toMatch(/^[A-Z_]+$/);
    }
  });

  it('fills templates and keeps engine SQLSTATE', () => {
    const e = qfError('QF_QUEUE_TIMEOUT', { group: 'g', seconds: 3 });
    expect(e.message).toBe('timed out waiting for capacity in cluster group g after 3s');
    expect(e.sqlstate).toBe('53000');
    expect(qfError('QF_ENGINE_ERROR', { detail: 'boom' }, { sqlstate: '42P01' }).sqlstate).toBe('42P01');
    expect(qfError('QF_ROUTE_DENIED', { detail: 'no deletes' }).mapping).toMatchObject({ sqlstate: '42501', mysqlErrno: 1142, trinoName: 'PERMISSION_DENIED', grpc: 'PERMISSION_DENIED' });
  });

  it('normalises unknown errors', () => {
    expect(toQueryFluxError(new Error('x'))).toMatchObject({ code: 'QF_INTERNAL' });
    const q = new QueryFluxError('QF_SYNTAX_ERROR', 'bad');
    expect(toQueryFluxError(q)).toBe(q);
  });
});

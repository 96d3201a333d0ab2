import { describe, expect, it } from 'vitest';
import { mapDuckDbError } from '../../src/engines/duckdb/errors.js';

describe('DuckDB error mapping', () => {
  it('unwraps the node API prefix and keeps the SQLSTATE and position', () => {
    const e = mapDuckDbError(new Error('Failed to extract statements: Parser Error: syntax error at or near "selec"\n\nLINE 1: selec 1\n        ^'), 'selec 1');
    expect(e).toMatchObject({ code: 'QF_SYNTAX_ERROR', message: 'syntax error at or near "selec"' });
    expect(e.sqlstate).toBe('42601');
    expect(e.extras.position).toBe(1);
  });

  it('maps catalog, conversion, constraint and interrupt errors', () => {
    expect(mapDuckDbError(new Error('Catalog Error: Table with name nope does not exist!\nDid you mean "x"?\n\nLINE 1: select * from nope\n                      ^'), 'select * from nope').sqlstate).toBe('42P01');
    expect(mapDuckDbError(new Error("Conversion Error: Could not convert string 'a' to INT32")).sqlstate).toBe('22P02');
    expect(mapDuckDbError(new Error('Constraint Error: NOT NULL constraint failed: t.a')).sqlstate).toBe('23502');
    expect(mapDuckDbError(new Error('Binder Error: Referenced column "zz" not found in FROM clause!')).sqlstate).toBe('42703');
    expect(mapDuckDbError(new Error('INTERRUPT Error: Interrupted!')).code).toBe('QF_QUERY_CANCELED');
  });

  it('positions on later lines', () => {
    const sql = 'select 1,\n  nope_fn(2)';
    const e = mapDuckDbError(new Error('Catalog Error: Scalar Function with name nope_fn does not exist!\n\nLINE 2:   nope_fn(2)\n          ^'), sql);
    expect(e.sqlstate).toBe('42883');
    expect(e.extras.position).toBe(sql.indexOf('nope_fn') + 1);
  });
});

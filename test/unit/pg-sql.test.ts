/** Statement splitting, classification and local SET/SHOW parsing of the PostgreSQL frontend. */
import { describe, expect, it } from 'vitest';
import { classifyStatement } from '../../src/frontends/postgres/sql/classify.js';
import { parseLocalCommand } from '../../src/frontends/postgres/sql/local-command.js';
import { isBlank, leadingWords, splitStatements } from '../../src/frontends/postgres/sql/split.js';
import { isLocalVariable, SessionVariables } from '../../src/frontends/postgres/session/variables.js';
import { clientTagsOf, parseStartupOptions } from '../../src/frontends/postgres/startup-options.js';
import { commandTag } from '../../src/frontends/postgres/command-tag.js';

const split = (sql: string): string[] => splitStatements(sql).map((s) => s.sql);

describe('pg sql: splitting a simple query', () => {
  it('splits on semicolons outside quotes, dollar quotes, identifiers and comments', () => {
    expect(split("select 'a;b'; select \"x;y\" from t")).toEqual(["select 'a;b'", 'select "x;y" from t']);
    expect(split("select 'it''s; fine'; select 2")).toEqual(["select 'it''s; fine'", 'select 2']);
    expect(split("select E'\\';' ; select 2")).toEqual(["select E'\\';'", 'select 2']);
    expect(split("select e'a\\\\'; select 2")).toEqual(["select e'a\\\\'", 'select 2']);
    expect(split('select $$a;b$$; select $tag$ $$ ; $tag$; select 3')).toEqual(['select $$a;b$$', 'select $tag$ $$ ; $tag$', 'select 3']);
    expect(split('select $1; select a$b;')).toEqual(['select $1', 'select a$b']);
    expect(split('select 1 -- ; comment\n; select 2')).toEqual(['select 1 -- ; comment', 'select 2']);
    expect(split('select /* ; /* nested ; */ still ; */ 1; select 2')).toEqual(['select /* ; /* nested ; */ still ; */ 1', 'select 2']);
    // A backslash in a standard string is literal.
    expect(split("select 'a\\'; select 2")).toEqual(["select 'a\\'", 'select 2']);
  });

  it('drops empty statements and keeps offsets into the original text', () => {
    expect(split(' ;; -- only a comment\n ; /* c */ ')).toEqual([]);
    const s = splitStatements('select 1;  /*hint*/ select 2');
    expect(s).toEqual([{ sql: 'select 1', offset: 0 }, { sql: '/*hint*/ select 2', offset: 11 }]);
  });

  it('unterminated quotes run to the end rather than splitting inside', () => {
    expect(split("select 'abc; select 2")).toEqual(["select 'abc; select 2"]);
  });

  it('leading words skip comments; blank text is blank', () => {
    expect(leadingWords('/* x */ -- y\n  start   transaction isolation level', 3)).toEqual(['START', 'TRANSACTION', 'ISOLATION']);
    expect(isBlank('  -- x\n /* y */ ')).toBe(true);
    expect(isBlank('select')).toBe(false);
  });
});

describe('pg sql: classification', () => {
  const kind = (sql: string): unknown => {
    const c = classifyStatement(sql);
    return c.kind === 'engine' ? c.tx ?? 'engine' : c.kind === 'local' ? `local:${c.command.kind}` : c.kind;
  };
  it('tracks transaction verbs', () => {
    expect(['BEGIN', 'begin work', 'START TRANSACTION READ ONLY', 'COMMIT', 'end', 'ROLLBACK', 'abort', 'rollback to savepoint a', 'ROLLBACK WORK TO b', 'PREPARE TRANSACTION \'x\'', 'COMMIT PREPARED \'x\'', 'select 1', ''].map(kind)).toEqual([
      'begin', 'begin', 'begin', 'commit', 'commit', 'rollback', 'rollback', 'rollback-to', 'rollback-to', 'commit', 'engine', 'engine', 'empty',
    ]);
  });
  it('keeps client-session SET/SHOW local and sends the rest to the engine', () => {
    expect(['set application_name = x', 'SET search_path TO public', 'show search_path', 'show all', 'reset all', 'RESET DateStyle', 'SET TIME ZONE UTC', 'SET LOCAL statement_timeout = 5', 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED'].map(kind)).toEqual([
      'local:set', 'engine', 'engine', 'engine', 'local:reset-all', 'local:reset', 'local:set', 'local:set', 'local:set-transaction',
    ]);
  });
  it('reads DEALLOCATE targets (the frontend owns prepared statements)', () => {
    const target = (sql: string): unknown => {
      const c = classifyStatement(sql);
      return c.kind === 'deallocate' ? (c.name ?? '<all>') : c.kind;
    };
    expect(['DEALLOCATE ALL', 'deallocate prepare all;', 'DEALLOCATE _pg3_0', 'DEALLOCATE PREPARE Foo', '/* c */ deallocate "Mixed ""q"""', 'DEALLOCATE a b'].map(target)).toEqual([
      '<all>', '<all>', '_pg3_0', 'foo', 'Mixed "q"', 'engine',
    ]);
  });
  it('rejects COPY through the client', () => {
    expect(kind('COPY t FROM STDIN')).toBe('unsupported');
    expect(kind("COPY t TO '/tmp/x'")).toBe('engine');
  });
});

describe('pg sql: local SET/SHOW parsing', () => {
  const p = (sql: string): unknown => parseLocalCommand(sql, isLocalVariable);
  it('parses values: quoted, unquoted, numbers, lists, DEFAULT', () => {
    expect(p("SET application_name = 'my app'")).toEqual({ kind: 'set', name: 'application_name', value: 'my app' });
    expect(p('set datestyle to iso, mdy')).toEqual({ kind: 'set', name: 'datestyle', value: 'iso, mdy' });
    expect(p('SET extra_float_digits = -1')).toEqual({ kind: 'set', name: 'extra_float_digits', value: '-1' });
    expect(p("set statement_timeout = '5s'")).toEqual({ kind: 'set', name: 'statement_timeout', value: '5s' });
    expect(p('set statement_timeout = 5min')).toEqual({ kind: 'set', name: 'statement_timeout', value: '5min' });
    expect(p('SET TimeZone TO DEFAULT')).toEqual({ kind: 'set', name: 'timezone', value: null });
    expect(p("SET TIME ZONE 'Europe/Paris'")).toEqual({ kind: 'set', name: 'timezone', value: 'Europe/Paris' });
    expect(p("set application_name = E'it\\'s'")).toEqual({ kind: 'set', name: 'application_name', value: "it's" });
    expect(p('SHOW TRANSACTION ISOLATION LEVEL')).toEqual({ kind: 'show', name: 'transaction_isolation' });
    expect(p('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')).toEqual({ kind: 'set-transaction', session: true, isolation: 'repeatable read', readOnly: true });
    expect(p('set application_name = ;')).toBeUndefined();
  });

  it('session variables validate, canonicalise and report changes', () => {
    const settings = new Map<string, string>();
    const v = new SessionVariables(settings, '15.0 (QueryFlux)', 'demo');
    expect(v.get('server_version_num')).toBe('150000');
    expect(v.set('DateStyle', 'iso, dmy')).toEqual({ name: 'DateStyle', value: 'ISO, DMY' });
    expect(v.set('datestyle', 'ISO, DMY')).toBeUndefined();
    expect(v.set('client_encoding', 'utf-8')).toBeUndefined();
    expect(() => v.set('client_encoding', 'LATIN1')).toThrow(/only UTF8/);
    expect(() => v.set('server_version', '1')).toThrow(/cannot be changed/);
    expect(() => v.set('extra_float_digits', '9')).toThrow(/between/);
    v.set('statement_timeout', '90s');
    expect(v.get('statement_timeout')).toBe('90s');
    expect(v.statementTimeoutMs()).toBe(90_000);
    v.set('statement_timeout', '120000');
    expect(v.get('statement_timeout')).toBe('2min');
    expect(settings.get('datestyle')).toBe('ISO, DMY');
    expect(v.resetAll().map((c) => c.name)).toEqual(['DateStyle']);
  });
});

describe('pg startup options and tags', () => {
  it('parses -c and -- forms with escapes', () => {
    expect(parseStartupOptions('-c search_path=a,b --statement-timeout=5s -cgeqo=off -c x=a\\ b junk')).toEqual(
      new Map([['search_path', 'a,b'], ['statement_timeout', '5s'], ['geqo', 'off'], ['x', 'a b']]),
    );
  });
  it('client tags from application_name and client_tags', () => {
    expect(clientTagsOf('psql', ' a, b ,a,, psql')).toEqual(['psql', 'a', 'b']);
    expect(clientTagsOf('', undefined)).toEqual([]);
  });
});

describe('pg command tags', () => {
  it('formats tags like PostgreSQL', () => {
    expect(commandTag({ command: 'SELECT' }, true, 5)).toBe('SELECT 5');
    expect(commandTag({ command: 'WITH' }, true, 2)).toBe('SELECT 2');
    expect(commandTag({ command: 'INSERT', rowCount: 3 }, false, 0)).toBe('INSERT 0 3');
    expect(commandTag({ command: 'UPDATE', rowCount: 4 }, false, 0)).toBe('UPDATE 4');
    expect(commandTag({ command: 'create table' }, false, 0)).toBe('CREATE TABLE');
    expect(commandTag({ command: 'SHOW' }, true, 1)).toBe('SHOW');
  });
});

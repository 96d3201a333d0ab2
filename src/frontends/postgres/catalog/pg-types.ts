/** The PostgreSQL built-in types the emulated pg_type knows: [oid, name, len, category, elem, array, input]. */
export const PG_TYPES: readonly (readonly [number, string, number, string, number, number, string])[] = [
  [16, 'bool', 1, 'B', 0, 1000, 'boolin'],
  [17, 'bytea', -1, 'U', 0, 1001, 'byteain'],
  [18, 'char', 1, 'S', 0, 1002, 'charin'],
  [19, 'name', 64, 'S', 18, 1003, 'namein'],
  [20, 'int8', 8, 'N', 0, 1016, 'int8in'],
  [21, 'int2', 2, 'N', 0, 1005, 'int2in'],
  [23, 'int4', 4, 'N', 0, 1007, 'int4in'],
  [24, 'regproc', 4, 'N', 0, 1008, 'regprocin'],
  [25, 'text', -1, 'S', 0, 1009, 'textin'],
  [26, 'oid', 4, 'N', 0, 1028, 'oidin'],
  [114, 'json', -1, 'U', 0, 199, 'json_in'],
  [700, 'float4', 4, 'N', 0, 1021, 'float4in'],
  [701, 'float8', 8, 'N', 0, 1022, 'float8in'],
  [1042, 'bpchar', -1, 'S', 0, 1014, 'bpcharin'],
  [1043, 'varchar', -1, 'S', 0, 1015, 'varcharin'],
  [1082, 'date', 4, 'D', 0, 1182, 'date_in'],
  [1083, 'time', 8, 'D', 0, 1183, 'time_in'],
  [1114, 'timestamp', 8, 'D', 0, 1115, 'timestamp_in'],
  [1184, 'timestamptz', 8, 'D', 0, 1185, 'timestamptz_in'],
  [1186, 'interval', 16, 'T', 0, 1187, 'interval_in'],
  [1266, 'timetz', 12, 'D', 0, 1270, 'timetz_in'],
  [1700, 'numeric', -1, 'N', 0, 1231, 'numeric_in'],
  [2205, 'regclass', 4, 'N', 0, 2210, 'regclassin'],
  [2206, 'regtype', 4, 'N', 0, 2211, 'regtypein'],
  [2249, 'record', -1, 'P', 0, 2287, 'record_in'],
  [2950, 'uuid', 16, 'U', 0, 2951, 'uuid_in'],
  [3802, 'jsonb', -1, 'U', 0, 3807, 'jsonb_in'],
];

/** SQL display names (format_type) of the scalar types above. */
export const PG_DISPLAY: Readonly<Record<number, string>> = {
  16: 'boolean', 17: 'bytea', 18: '"char"', 19: 'name', 20: 'bigint', 21: 'smallint', 23: 'integer', 24: 'regproc', 25: 'text', 26: 'oid',
  114: 'json', 700: 'real', 701: 'double precision', 1042: 'character', 1043: 'character varying', 1082: 'date',
  1083: 'time without time zone', 1114: 'timestamp without time zone', 1184: 'timestamp with time zone', 1186: 'interval',
  1266: 'time with time zone', 1700: 'numeric', 2205: 'regclass', 2206: 'regtype', 2249: 'record', 2950: 'uuid', 3802: 'jsonb',
};

/**
 * PostgreSQL wire protocol v3 message shapes: what the reader produces from client bytes and the
 * field lists the writer needs. Codes and constants live here so reader, writer and tests agree.
 */

/** Special request codes carried in place of a protocol version in the first packet. */
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
/** Protocol 3.0 as sent in a StartupMessage. */
export const PROTOCOL_3_0 = 196608;

/** First packet of a connection (untyped: length + code). */
export type StartupPacket =
  | { readonly type: 'SSLRequest' }
  | { readonly type: 'GSSENCRequest' }
  | { readonly type: 'CancelRequest'; readonly processId: number; readonly secretKey: number }
  | { readonly type: 'Startup'; readonly majorVersion: number; readonly minorVersion: number; readonly params: ReadonlyMap<string, string> };

/** Format code: 0 text, 1 binary. */
export type FormatCode = 0 | 1;

/** Typed messages a client sends after startup. */
export type FrontendMessage =
  | { readonly type: 'Query'; readonly sql: string }
  | { readonly type: 'Parse'; readonly name: string; readonly sql: string; readonly paramTypes: readonly number[] }
  | {
      readonly type: 'Bind';
      readonly portal: string;
      readonly statement: string;
      /** 0 codes: all text; 1 code: applies to all; N codes: one per parameter. */
      readonly paramFormats: readonly FormatCode[];
      /** Raw parameter bytes, null for SQL NULL. Views into the received data: do not mutate. */
      readonly params: readonly (Buffer | null)[];
      readonly resultFormats: readonly FormatCode[];
    }
  | { readonly type: 'Describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'Execute'; readonly portal: string; readonly maxRows: number }
  | { readonly type: 'Close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly type: 'Sync' }
  | { readonly type: 'Flush' }
  | { readonly type: 'Terminate' }
  /** 'p': PasswordMessage, SASLInitialResponse or SASLResponse; meaning depends on the auth step. */
  | { readonly type: 'Password'; readonly data: Buffer }
  | { readonly type: 'FunctionCall' }
  | { readonly type: 'CopyData' }
  | { readonly type: 'CopyDone' }
  | { readonly type: 'CopyFail'; readonly message: string };

export type FrontendMessageType = FrontendMessage['type'];

/** One field of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly tableOid: number;
  readonly columnAttr: number;
  readonly typeOid: number;
  readonly typeLen: number;
  readonly typeMod: number;
  readonly format: FormatCode;
}

/** Fields of ErrorResponse / NoticeResponse (single-letter codes in the protocol). */
export interface ErrorFields {
  /** S and V: ERROR, FATAL, PANIC, WARNING, NOTICE, ... */
  readonly severity: string;
  /** C: SQLSTATE. */
  readonly code: string;
  /** M: primary message. */
  readonly message: string;
  /** D */
  readonly detail?: string;
  /** H */
  readonly hint?: string;
  /** P: 1-based character position in the query string. */
  readonly position?: number;
}

/** Transaction status byte in ReadyForQuery. */
export type TxStatusByte = 'I' | 'T' | 'E';

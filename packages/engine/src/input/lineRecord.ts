import { invalidUtf8Offset, TOO_LONG_HEAD_BYTES } from '@simfleet/core/columns';
import type { RawRecord } from './RawRecord.js';

/**
 * A line (or element) longer than the bound, as a rejected record: its first bytes as
 * `raw` (the rest was streamed past, never held).
 *
 * @example
 * tooLongRecord(3, 20_000_000, head, 16 * 2 ** 20).code // 'line_too_long'
 */
export function tooLongRecord(line: number, bytes: number, head: Uint8Array, max: number | undefined): RawRecord {
  const shown = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, TOO_LONG_HEAD_BYTES)).toString('utf8');
  return {
    text: `${shown}…`,
    line,
    code: 'line_too_long',
    framingError: `the record is ${bytes} bytes long, more than --max-line-bytes ${max ?? 16 * 2 ** 20}: raise the limit to read it`,
  };
}

/**
 * The text of one NDJSON line as a record: one trailing CR dropped; `undefined` when
 * blank. Shared by the line reader and the fast path's fallback, so both see the same text.
 * Bytes that are not UTF-8 make it a rejected record (`invalid_utf8`, with the byte offset
 * in the line): JSON text is UTF-8, and decoding them as U+FFFD would alter the record.
 *
 * @example
 * lineRecord(Buffer.from('{"id":1}\r'), 7) // { text: '{"id":1}', line: 7 }
 */
export function lineRecord(bytes: Uint8Array, line: number): RawRecord | undefined {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return undefined;
  const bad = utf8Problem(bytes);
  return bad === undefined ? { text, line } : { text, line, code: 'invalid_utf8', framingError: bad };
}

/**
 * Why `bytes` are not UTF-8 text (with the offset of the first bad byte), or `undefined`.
 *
 * @example
 * utf8Problem(Uint8Array.of(0x7b, 0xff)) // 'byte 1 (0xff) is not UTF-8: …'
 */
export function utf8Problem(bytes: Uint8Array): string | undefined {
  const at = invalidUtf8Offset(bytes, 0, bytes.length);
  if (at === -1) return undefined;
  const shown = Array.from(bytes.subarray(at, at + 4), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
  return `byte ${at} of the record (${shown}) is not UTF-8: records must be UTF-8 JSON text`;
}

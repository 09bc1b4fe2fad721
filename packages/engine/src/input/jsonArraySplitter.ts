import { BOM, DEFAULT_MAX_LINE_BYTES, isJsonBlank } from '@simfleet/core/columns';
import type { RawRecord } from './RawRecord.js';
import { tooLongRecord, utf8Problem } from './lineRecord.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/**
 * Splits a JSON array of events (as an Event API page holds them) into the text of
 * each element, with the line it starts on, without parsing the elements: each one
 * then goes through the decoder like an NDJSON line, so errors and big ids are
 * handled in one place. Memory is bounded by the largest element, not the file.
 *
 * Only framing is checked here (brackets, commas, strings); anything left over or
 * unterminated becomes a record with a `framingError`, never silently dropped. The rules
 * every format shares hold here too: a byte-order mark only at the input's start, bytes
 * that are not UTF-8 rejected (`invalid_utf8`), an element longer than `maxBytes`
 * rejected (`line_too_long`) and streamed past, never held.
 */
export class JsonArraySplitter {
  #state: 'before' | 'between' | 'element' | 'after' = 'before';
  #depth = 0;
  #inString = false;
  #escaped = false;
  #line = 1;
  #parts: Buffer[] = [];
  #elementLine = 1;
  #trailing: { line: number; bytes: number[] } | undefined;
  readonly #max: number;
  /** Bytes of the current element so far; past `#max` its parts are dropped (only the head is kept). */
  #elementBytes = 0;
  #head: Uint8Array | undefined;
  /** Bytes of a byte-order mark matched at the input's start. */
  #bom = 0;
  #started = false;

  constructor(maxBytes: number = DEFAULT_MAX_LINE_BYTES) {
    this.#max = maxBytes;
  }

  *push(chunk: Buffer): Generator<RawRecord> {
    let elementStart = this.#state === 'element' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.#state === 'element') {
        if (this.#inString) {
          if (this.#escaped) this.#escaped = false;
          else if (byte === BACKSLASH) this.#escaped = true;
          else if (byte === QUOTE) this.#inString = false;
        } else if (byte === QUOTE) {
          this.#inString = true;
        } else if (byte === 0x7b || byte === 0x5b) {
          this.#depth++;
        } else if (byte === 0x7d || byte === 0x5d) {
          if (this.#depth === 0 && byte === 0x5d) {
            // `]` closing the array right after a scalar element.
            this.#part(chunk.subarray(elementStart, i));
            yield this.#emit();
            this.#state = 'after';
          } else {
            this.#depth--;
          }
        } else if (byte === 0x2c && this.#depth === 0) {
          this.#part(chunk.subarray(elementStart, i));
          yield this.#emit();
          this.#state = 'between';
        }
        if (byte === NEWLINE) this.#line++;
        continue;
      }
      if (byte === NEWLINE) this.#line++;
      if (!this.#started && this.#bom < 3 && byte === BOM[this.#bom]) {
        this.#bom++;
        continue;
      }
      this.#started = true;
      if (isJsonBlank(byte)) continue;
      if (this.#state === 'before') {
        if (byte === 0x5b) this.#state = 'between';
        else this.#stray(byte);
      } else if (this.#state === 'between') {
        if (byte === 0x5d) this.#state = 'after';
        else if (byte !== 0x2c) {
          this.#state = 'element';
          this.#elementLine = this.#line;
          elementStart = i;
          i--; // re-read this byte in the element state
        }
      } else {
        this.#stray(byte);
      }
    }
    if (this.#state === 'element' && elementStart !== -1) this.#part(chunk.subarray(Math.max(elementStart, 0)));
  }

  /** Keeps a piece of the current element, unless the element is already too long. */
  #part(piece: Buffer): void {
    this.#elementBytes += piece.length;
    if (this.#head !== undefined) return;
    this.#parts.push(piece);
    if (this.#elementBytes > this.#max) {
      this.#head = Buffer.concat(this.#parts).subarray(0, 256);
      this.#parts = [];
    }
  }

  *end(): Generator<RawRecord> {
    if (this.#state === 'element' || this.#state === 'between' || this.#state === 'before') {
      const text = Buffer.concat(this.#parts).toString('utf8');
      this.#parts = [];
      if (this.#state !== 'before' || text !== '') {
        yield { text, line: this.#elementLine, framingError: 'JSON array is not terminated: missing ]' };
      }
    }
    if (this.#trailing !== undefined) {
      yield { text: Buffer.from(this.#trailing.bytes).toString('utf8'), line: this.#trailing.line, framingError: 'unexpected text outside the JSON array' };
    }
  }

  #emit(): RawRecord {
    const head = this.#head;
    const length = this.#elementBytes;
    this.#head = undefined;
    this.#elementBytes = 0;
    this.#depth = 0;
    if (head !== undefined) {
      this.#parts = [];
      return tooLongRecord(this.#elementLine, length, head, this.#max);
    }
    const bytes = Buffer.concat(this.#parts);
    this.#parts = [];
    // JSON white space only: `trim()` would also drop a U+FEFF, which is not JSON white space.
    const text = bytes.toString('utf8').replace(/[ \t\r\n]+$/, '');
    const bad = utf8Problem(bytes);
    return bad === undefined ? { text, line: this.#elementLine } : { text, line: this.#elementLine, code: 'invalid_utf8', framingError: bad };
  }

  #stray(byte: number): void {
    this.#trailing ??= { line: this.#line, bytes: [] };
    if (this.#trailing.bytes.length < 200) this.#trailing.bytes.push(byte);
  }
}

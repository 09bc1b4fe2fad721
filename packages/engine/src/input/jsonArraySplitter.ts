import type { RawRecord } from './RawRecord.js';

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
 * unterminated becomes a record with a `framingError`, never silently dropped.
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
            this.#parts.push(chunk.subarray(elementStart, i));
            yield this.#emit();
            this.#state = 'after';
          } else {
            this.#depth--;
          }
        } else if (byte === 0x2c && this.#depth === 0) {
          this.#parts.push(chunk.subarray(elementStart, i));
          yield this.#emit();
          this.#state = 'between';
        }
        if (byte === NEWLINE) this.#line++;
        continue;
      }
      if (byte === NEWLINE) this.#line++;
      if (isBlank(byte)) continue;
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
    if (this.#state === 'element' && elementStart !== -1) this.#parts.push(chunk.subarray(Math.max(elementStart, 0)));
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
    const text = Buffer.concat(this.#parts).toString('utf8').trim();
    this.#parts = [];
    this.#depth = 0;
    return { text, line: this.#elementLine };
  }

  #stray(byte: number): void {
    this.#trailing ??= { line: this.#line, bytes: [] };
    if (this.#trailing.bytes.length < 200) this.#trailing.bytes.push(byte);
  }
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0xef || byte === 0xbb || byte === 0xbf;
}

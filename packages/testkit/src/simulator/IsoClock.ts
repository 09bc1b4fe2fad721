/**
 * Writes event times as emnify does, fast enough for the workload generator.
 *
 * Why a cache: `Date#toISOString` costs more than the rest of a record. Generated
 * times increase in small steps, so the `YYYY-MM-DDTHH:MM:SS` prefix is encoded only
 * when the second changes; the milliseconds are written as digits. Use one clock per
 * monotonic series of times (event times), another for unrelated dates.
 *
 * @example
 * const w = new ByteWriter();
 * new IsoClock().write(w, Date.UTC(2021, 9, 27, 8, 38, 2, 5), 0);
 * w.textFrom(0); // '2021-10-27T08:38:02.005Z'
 */
import { civilFromDays } from '@simfleet/core/columns';
import type { ByteWriter } from './ByteWriter.js';

const T = 84; // 'T'
const SPACE = 32;
const COLON = 58;

const HEAD = '{"timestamp":"';

export class IsoClock {
  private second = Number.NaN;
  private headSecond = Number.NaN;
  private day = Number.NaN;
  private readonly prefix = new Uint8Array(19);
  /** `{"timestamp":"` + prefix + `.`: a canonical record's first 34 bytes, minus the milliseconds. */
  private readonly head = new Uint8Array(HEAD.length + 20);

  constructor() {
    for (let i = 0; i < HEAD.length; i++) this.head[i] = HEAD.charCodeAt(i);
    this.head[HEAD.length + 19] = 46; // '.'
  }

  /** Writes `{"timestamp":"2021-10-27T08:38:02.005` (no `Z`): the start of a canonical record. */
  writeHead(w: ByteWriter, ms: number): void {
    const second = Math.floor(ms / 1000);
    if (second !== this.headSecond) {
      if (second !== this.second) this.encode(second);
      this.head.set(this.prefix, HEAD.length);
      this.headSecond = second;
    }
    w.bytes(this.head);
    w.padded(ms - second * 1000, 3);
  }

  /**
   * Writes `ms` in a style: 0 `2021-10-27T08:38:02.005Z` (canonical), 1
   * `2021-10-27T08:38:02.005+0000`, 2 `2021-10-27T08:38:02Z`, 3 `2021-10-27 08:38:02`.
   */
  write(w: ByteWriter, ms: number, style: number): void {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) this.encode(second);
    w.reserve(28);
    const buf = w.buf;
    let p = w.pos;
    buf.set(this.prefix, p);
    p += 19;
    if (style === 3) buf[p - 9] = SPACE;
    w.pos = p;
    if (style === 0 || style === 1) {
      w.byte(46); // '.'
      w.padded(ms - second * 1000, 3);
      if (style === 0)
        w.byte(90); // 'Z'
      else w.text('+0000');
    } else if (style === 2) {
      w.byte(90);
    }
  }

  /** Writes `2021-08-09T12:00:27` (no zone), as `pdp_context.tunnel_created` is sent. */
  local(w: ByteWriter, ms: number): void {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) this.encode(second);
    w.bytes(this.prefix);
  }

  private encode(second: number): void {
    this.second = second;
    const prefix = this.prefix;
    const day = Math.floor(second / 86_400);
    if (day !== this.day) {
      this.day = day;
      writeDate(prefix, day);
      prefix[10] = T;
      prefix[13] = COLON;
      prefix[16] = COLON;
    }
    const inDay = second - day * 86_400;
    const hours = (inDay / 3600) | 0;
    const minutes = ((inDay - hours * 3600) / 60) | 0;
    const seconds = inDay - hours * 3600 - minutes * 60;
    prefix[11] = 48 + ((hours / 10) | 0);
    prefix[12] = 48 + (hours % 10);
    prefix[14] = 48 + ((minutes / 10) | 0);
    prefix[15] = 48 + (minutes % 10);
    prefix[17] = 48 + ((seconds / 10) | 0);
    prefix[18] = 48 + (seconds % 10);
  }
}

/** Days 0000-03-01 … 9999-12-31: years with four digits, as `toISOString` writes them plainly. */
const PLAIN_DAYS_MIN = -719_468;
const PLAIN_DAYS_MAX = 2_932_896;

/**
 * Writes `YYYY-MM-DD` of a day number (days since 1970-01-01) at `out[0..10)`.
 *
 * Why not `Date`: dates of quota expiries and session starts jump between days, and a
 * `toISOString` per record costs as much as the rest of the record. This is Howard
 * Hinnant's `civil_from_days` in integer arithmetic (core's `civilFromDays`; a test checks this against `Date`).
 */
export function writeDate(out: Uint8Array, day: number): void {
  if (day < PLAIN_DAYS_MIN || day > PLAIN_DAYS_MAX) {
    const text = new Date(day * 86_400_000).toISOString();
    for (let i = 0; i < 10; i++) out[i] = text.charCodeAt(i);
    return;
  }
  const date = civilFromDays(day);
  const y = Math.floor(date / 10_000);
  const m = Math.floor(date / 100) % 100;
  const d = date % 100;
  out[0] = 48 + Math.floor(y / 1000);
  out[1] = 48 + (Math.floor(y / 100) % 10);
  out[2] = 48 + (Math.floor(y / 10) % 10);
  out[3] = 48 + (y % 10);
  out[4] = 45; // '-'
  out[5] = 48 + Math.floor(m / 10);
  out[6] = 48 + (m % 10);
  out[7] = 45;
  out[8] = 48 + Math.floor(d / 10);
  out[9] = 48 + (d % 10);
}

/** `2021-08-09T12:00:27` of a UTC time (slow path for occasional dates). */
export function localIso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}

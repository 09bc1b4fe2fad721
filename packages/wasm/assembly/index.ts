// @simfleet/wasm's module: NDJSON chunks → rows, one call per chunk.
//
// The boundary writes a chunk of the input at `inputAddress()` and calls `decodeChunk(n,
// final)`: every complete line (cut at each 0x0A, which can never be inside a JSON text)
// is decoded, up to the line capacity; it returns the bytes consumed, and the boundary
// carries the rest (a partial line) to the next chunk. The boundary then adopts the pools'
// new strings into the fleet's pool, writes their fleet references into the pools' remap
// tables and calls `finishChunk()`, which rewrites the chunk's rows with fleet references.
import { LINE_BYTES, LINE_COUNT, LINE_END, LINE_ROW, LINE_START, LINE_STATUS, ROW_BYTES, ROW_COUNT, ROW_DESCRIPTION_END, ROW_DESCRIPTION_START, ROW_NAME, STATUS_INVALID, STATUS_TOO_LONG } from './layout';
import {
  beginChunk, colApn, DEFERRED, colIccid, colImei, colImsi, colIp, colName, colOperator, decodeLine, FAIL, finishLine, initPools, internRows, walkFailure, walkLine, operators, parts, pendingReasons, rowCount,
  rowsWithoutEndpoint, setNameColumn, setRowColumns, strings,
} from './walk';
import { Pool } from './pool';

export { PHRASES as phrasesAddress, PLAN as planAddress, setFilter, setPlanCodes } from './walk';

/** Bytes read past the input's end by 16-byte loads (plus the newline the last line may get). */
const PADDING: u32 = 64;

let input: usize = 0;
let inputCapacity: u32 = 0;
let lineCapacity: u32 = 0;
const rowColumns = new StaticArray<usize>(ROW_COUNT);
const lineColumns = new StaticArray<usize>(LINE_COUNT);
let lines: u32 = 0;
/** Longest line decoded, in bytes without its newline; a longer one gets STATUS_TOO_LONG. */
let maxLine: usize = <usize>u32.MAX_VALUE;

/** Sets the bound on one line (bytes without its newline). */
export function setMaxLineBytes(n: u32): void {
  maxLine = <usize>n;
}

function columns(count: i32, bytes: StaticArray<u8>, out: StaticArray<usize>, capacity: u32): void {
  for (let i = 0; i < count; i++) {
    const size = (<usize>bytes[i] * capacity + 15) & ~15;
    const at = heap.alloc(size);
    memory.fill(at, 0, size);
    out[i] = at;
  }
}

/** Sets the input size (bytes a chunk may hold) and the lines one call decodes at most. Call once. */
export function init(chunkBytes: u32, maxLines: u32): void {
  inputCapacity = chunkBytes;
  lineCapacity = maxLines;
  input = heap.alloc(chunkBytes + PADDING);
  memory.fill(input, 0x20, chunkBytes + PADDING);
  columns(ROW_COUNT, ROW_BYTES, rowColumns, maxLines);
  columns(LINE_COUNT, LINE_BYTES, lineColumns, maxLines);
  const c = rowColumns;
  setRowColumns(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[ROW_DESCRIPTION_START], c[ROW_DESCRIPTION_END]);
  setNameColumn(c[ROW_NAME]);
  initPools(maxLines);
}

export function inputAddress(): usize {
  return input;
}

/** Address of row column `index` (layout ROW_ order). */
export function rowColumn(index: i32): usize {
  return rowColumns[index];
}

/** Address of line column `index` (layout LINE_ order). */
export function lineColumn(index: i32): usize {
  return lineColumns[index];
}

/** Index of the first 0x0A in [p, end), or end (16 bytes at a time). */
function findNewline(p: usize, end: usize): usize {
  const nl = i8x16.splat(0x0a);
  while (p < end) {
    const m = i8x16.bitmask(i8x16.eq(v128.load(p), nl));
    if (m != 0) {
      const q = p + ctz(m);
      return q < end ? q : end;
    }
    p += 16;
  }
  return end;
}

/**
 * Decodes the complete lines of input[0, length) (all of it when `final`: a last line
 * without a newline gets one), at most the line capacity; returns the bytes consumed.
 * `chunkLines()` says how many lines, the line and row columns hold them.
 */
export function decodeChunk(length: u32, final: bool): u32 {
  let end = input + length;
  if (final && length > 0 && load<u8>(end - 1) != 0x0a) {
    store<u8>(end, 0x0a);
    end++;
  }
  // A newline after the input stops every walk there (nothing in a walk goes past one), and
  // the bytes after it are harmless for the 16-byte loads.
  store<u64>(end, 0x202020202020200a);
  store<u64>(end + 8, 0x2020202020202020);
  store<u64>(end + 16, 0x2020202020202020);
  beginChunk();
  const status = lineColumns[LINE_STATUS];
  const starts = lineColumns[LINE_START];
  const ends = lineColumns[LINE_END];
  const rowOf = lineColumns[LINE_ROW];
  let p = input;
  let n: u32 = 0;
  if (maxLine >= <usize>inputCapacity) {
    // No line of a chunk can be too long: walk first, and look for the newline only when the
    // walk did not stop at one (a JSON error, a fallback, a blank line): one pass over the
    // bytes of a good line instead of two.
    while (n < lineCapacity) {
      const q = walkLine(p);
      const walked = q != FAIL && load<u8>(q) == 0x0a;
      const nl = walked ? q : findNewline(p, end);
      if (nl >= end) break; // the line goes on in the next chunk
      const at = <usize>n << 2;
      store<u32>(rowOf + at, rowCount);
      store<u8>(status + n, walked ? finishLine(p, nl, input) : q == FAIL ? walkFailure(p, nl) : STATUS_INVALID);
      store<u32>(starts + at, <u32>(p - input));
      store<u32>(ends + at, <u32>(nl - input));
      n++;
      p = nl + 1;
    }
  } else while (n < lineCapacity) {
    const nl = findNewline(p, end);
    if (nl == end) break;
    const at = <usize>n << 2;
    store<u32>(rowOf + at, rowCount);
    store<u8>(status + n, nl - p > maxLine ? STATUS_TOO_LONG : decodeLine(p, nl, input));
    store<u32>(starts + at, <u32>(p - input));
    store<u32>(ends + at, <u32>(nl - input));
    n++;
    p = nl + 1;
  }
  lines = n;
  internRows();
  const consumed = <u32>(p - input);
  return consumed > length ? length : consumed;
}

export function chunkLines(): u32 {
  return lines;
}

export function chunkRows(): u32 {
  return rowCount;
}

export function chunkRowsWithoutEndpoint(): u32 {
  return rowsWithoutEndpoint;
}

export function chunkPendingReasons(): u32 {
  return pendingReasons;
}

/** Rewrites the chunk's string and operator columns with the fleet references in the remap tables. */
export function finishChunk(): void {
  const n = <usize>rowCount;
  const remap = strings.remap;
  for (let r: usize = 0; r < n; r++) {
    const at = r << 2;
    store<u32>(colIccid + at, load<u32>(remap + (<usize>load<u32>(colIccid + at) << 2)));
    store<u32>(colImsi + at, load<u32>(remap + (<usize>load<u32>(colImsi + at) << 2)));
    store<u32>(colImei + at, load<u32>(remap + (<usize>load<u32>(colImei + at) << 2)));
    store<u32>(colIp + at, load<u32>(remap + (<usize>load<u32>(colIp + at) << 2)));
    store<u32>(colApn + at, load<u32>(remap + (<usize>load<u32>(colApn + at) << 2)));
    store<u32>(colName + at, load<u32>(remap + (<usize>load<u32>(colName + at) << 2)));
    store<u32>(colOperator + at, load<u32>(operators.remap + (<usize>load<u32>(colOperator + at) << 2)));
  }
}

// The pools, for the boundary's adoption (0: strings, 1: operator parts).
@inline function pool(which: u32): Pool {
  return which == 0 ? strings : parts;
}
export function poolCount(which: u32): u32 {
  return pool(which).count;
}
export function poolStarts(which: u32): usize {
  return pool(which).starts;
}
export function poolLengths(which: u32): usize {
  return pool(which).lengths;
}
export function poolBytes(which: u32): usize {
  return pool(which).bytes;
}
export function poolUsed(which: u32): u32 {
  return pool(which).used;
}
export function poolRemap(which: u32): usize {
  return pool(which).remap;
}
/**
 * Sets aside the strings pool's memory for a boundary that empties it once, after a chunk, it
 * holds more than `maxStrings` strings or `maxBytes` bytes of them (see `Pool.reserve`): a
 * chunk adds at most DEFERRED strings a line and its input's bytes. Call once, after `init`.
 */
export function reserveStrings(maxStrings: u32, maxBytes: u32): void {
  strings.reserve(maxStrings + lineCapacity * DEFERRED, maxBytes + inputCapacity);
}
/** Empties the strings pool (after a chunk was finished: its rows hold fleet references only). */
export function clearStrings(): void {
  strings.clear();
}
export function operatorCount(): u32 {
  return operators.count;
}
export function operatorParts(): usize {
  return operators.parts;
}
export function operatorRemap(): usize {
  return operators.remap;
}

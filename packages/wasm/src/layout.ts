/**
 * The contract between the WebAssembly module and its TypeScript boundary: line status
 * codes, the row columns the module writes (their order and element types) and the per-line
 * columns. This file is the one source; `assembly/layout.ts` is generated from it
 * (`pnpm --filter @simfleet/wasm layout`), and a test fails when that copy is stale.
 *
 * Plain values here (core's row columns included): the generator reads the built module and prints them for
 * AssemblyScript, so both sides agree by construction.
 */
import { ROW_COLUMNS as CORE_ROW_COLUMNS } from '@simfleet/core/columns';

/** A decoded row was written for the line. */
export const STATUS_ROW = 0;
/** Valid JSON, or possibly valid, in a form the module does not decode with certainty: the full decoder decides. */
export const STATUS_FALLBACK = 1;
/** Not JSON (RFC 8259): the full decoder rejects it and gives the reason and location. */
export const STATUS_INVALID = 2;
/** Only white space: not a record. */
export const STATUS_BLANK = 3;
/** Decoded, but an option needs the whole record (after `until`, the watched endpoint): the full decoder takes it. */
export const STATUS_HELD = 4;
/** Longer than the bound on one line (`maxLineBytes`): rejected as too long, never decoded. */
export const STATUS_TOO_LONG = 5;

/** Element type of a column in WASM memory. */
export type WasmColumnKind = 'f64' | 'u32' | 'u8' | 'i16';

/**
 * Row columns in WASM memory, in this order, `rowCapacity` elements each (the module
 * exports `rowColumn(index)`, the address of column `index`). The first ones are core's
 * `ROW_COLUMNS` (taken from it: one list), so the boundary copies them with one `set` each.
 */
export const ROW_COLUMNS = [
  ...CORE_ROW_COLUMNS,
  // Where the row's description is (input offsets), read by the boundary only for a rejected session's reason.
  ['descriptionStart', 'u32'],
  ['descriptionEnd', 'u32'],
] as const satisfies readonly (readonly [string, WasmColumnKind])[];

/** Per-line columns (`lineColumn(index)`), `lineCapacity` elements each. */
export const LINE_COLUMNS = [
  // STATUS_ codes.
  ['status', 'u8'],
  // Input offset of the line's first byte.
  ['start', 'u32'],
  // Input offset after the line's last byte (its newline not included).
  ['end', 'u32'],
  // The line's row (STATUS_ROW), else the number of rows before it.
  ['row', 'u32'],
] as const satisfies readonly (readonly [string, WasmColumnKind])[];

/** `rejectionReason` value the module writes for a rejected session: the boundary fills in the reason from the description. */
export const REASON_PENDING = 254;

// @simfleet/wasm — the replay hot path in WebAssembly SIMD: NDJSON chunks → EventColumns rows.
export { DEFAULT_MAX_POOL_STRINGS, type DecodedChunk, POOL_BYTES_PER_STRING, WasmLineDecoder, type WasmLineDecoderOptions } from './WasmLineDecoder.js';
export {
  LINE_COLUMNS,
  REASON_PENDING,
  ROW_COLUMNS,
  STATUS_BLANK,
  STATUS_FALLBACK,
  STATUS_HELD,
  STATUS_INVALID,
  STATUS_ROW,
  STATUS_TOO_LONG,
} from './layout.js';
export { renderAssemblyLayout } from './renderLayout.js';
export { decoderModule, instantiateDecoder, WASM_URL } from './wasmModule.js';

/**
 * The compiled module (`dist/simfleet.wasm`, built by `asc` in this package's build) and
 * the typed view of its exports.
 */
import { readFileSync } from 'node:fs';

/** The module's exports, as `assembly/index.ts` declares them. */
export interface DecoderExports {
  readonly memory: WebAssembly.Memory;
  readonly planAddress: WebAssembly.Global;
  readonly phrasesAddress: WebAssembly.Global;
  init(chunkBytes: number, maxLines: number): void;
  setPlanCodes(created: number, updated: number, rejected: number, disconnect: number, rejection: number, deletion: number): void;
  setFilter(until: number, watch: number): void;
  inputAddress(): number;
  rowColumn(index: number): number;
  lineColumn(index: number): number;
  decodeChunk(length: number, final: number): number;
  chunkLines(): number;
  chunkRows(): number;
  chunkRowsWithoutEndpoint(): number;
  chunkPendingReasons(): number;
  finishChunk(): void;
  poolCount(which: number): number;
  poolStarts(which: number): number;
  poolLengths(which: number): number;
  poolBytes(which: number): number;
  poolUsed(which: number): number;
  poolRemap(which: number): number;
  operatorCount(): number;
  operatorParts(): number;
  operatorRemap(): number;
}

let compiled: WebAssembly.Module | undefined;

/** Where the build puts the module (the same place whether this file runs from src/ or dist/). */
export const WASM_URL = new URL('../dist/simfleet.wasm', import.meta.url);

/**
 * The compiled module, compiled once per thread (synchronously: workers need it at once).
 *
 * @example
 * const instance = new WebAssembly.Instance(decoderModule(), importsFor());
 */
export function decoderModule(): WebAssembly.Module {
  if (compiled === undefined) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(WASM_URL);
    } catch (error) {
      throw new Error(`the WebAssembly decoder is not built (${WASM_URL.pathname}): run pnpm build (${(error as Error).message})`);
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/**
 * A new instance (its own memory) with its exports typed.
 *
 * @example
 * const ex = instantiateDecoder();
 * ex.init(1 << 20, 8192);
 */
export function instantiateDecoder(): DecoderExports {
  const instance = new WebAssembly.Instance(decoderModule(), {
    env: {
      abort: (_message: number, _file: number, line: number, column: number): never => {
        throw new Error(`the WebAssembly decoder aborted at ${line}:${column}`);
      },
    },
  });
  return instance.exports as unknown as DecoderExports;
}

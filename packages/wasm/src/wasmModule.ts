/**
 * The compiled module (`dist/simfleet.wasm`, built by `asc` in this package's build) and
 * the typed view of its exports.
 */
import { readFileSync } from 'node:fs';

/** An opaque compiled module. */
export type CompiledModule = object;

/**
 * The part of the WebAssembly JS API used here, typed locally: the project's lib is ES2023
 * without DOM, which is where TypeScript declares it.
 */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => CompiledModule;
  readonly Instance: new (module: CompiledModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { readonly WebAssembly: WebAssemblyApi }).WebAssembly;

/** The module's exports, as `assembly/index.ts` declares them. */
export interface DecoderExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  readonly planAddress: { readonly value: unknown };
  readonly phrasesAddress: { readonly value: unknown };
  init(chunkBytes: number, maxLines: number): void;
  setPlanCodes(created: number, updated: number, rejected: number, disconnect: number, rejection: number, deletion: number): void;
  setFilter(until: number, watch: number): void;
  setMaxLineBytes(n: number): void;
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
  reserveStrings(maxStrings: number, maxBytes: number): void;
  clearStrings(): void;
  operatorCount(): number;
  operatorParts(): number;
  operatorRemap(): number;
}

let compiled: CompiledModule | undefined;

/** Where the build puts the module (the same place whether this file runs from src/ or dist/). */
export const WASM_URL = new URL('../dist/simfleet.wasm', import.meta.url);

/**
 * The compiled module, compiled once per thread (synchronously: workers need it at once).
 *
 * @example
 * const exports = instantiateDecoder(); // one instance of decoderModule()
 */
export function decoderModule(): CompiledModule {
  if (compiled === undefined) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(WASM_URL);
    } catch (error) {
      throw new Error(`the WebAssembly decoder is not built (${WASM_URL.pathname}): run pnpm build (${(error as Error).message})`);
    }
    compiled = new wasmApi.Module(bytes);
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
  const instance = new wasmApi.Instance(decoderModule(), {
    env: {
      abort: (_message: number, _file: number, line: number, column: number): never => {
        throw new Error(`the WebAssembly decoder aborted at ${line}:${column}`);
      },
    },
  });
  return instance.exports as unknown as DecoderExports;
}

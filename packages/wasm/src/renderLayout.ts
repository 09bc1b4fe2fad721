/**
 * Prints `src/layout.ts` as AssemblyScript constants (`assembly/layout.ts`): the module's
 * side of the contract, generated so the two never drift apart.
 */
import * as layout from './layout.js';

const HEADER = `// Generated from packages/wasm/src/layout.ts by scripts/generateLayout.mjs: do not edit.
// The test test/layout.test.ts fails when this copy is stale.
`;

const KIND_BYTES: Readonly<Record<layout.WasmColumnKind, number>> = { f64: 8, u32: 4, u8: 1, i16: 2 };

const constName = (prefix: string, name: string): string => `${prefix}_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/**
 * The AssemblyScript text of the layout.
 *
 * @example
 * renderAssemblyLayout().includes('export const STATUS_ROW: u8 = 0;') // true
 */
export function renderAssemblyLayout(): string {
  const out = [HEADER];
  // Sorted: a module namespace's key order is not the declaration order everywhere.
  for (const [name, value] of Object.entries(layout).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (typeof value === 'number') out.push(`export const ${name}: u8 = ${value};`);
  }
  const table = (prefix: string, columns: readonly (readonly [string, layout.WasmColumnKind])[]): void => {
    out.push('');
    columns.forEach(([name], i) => {
      out.push(`export const ${constName(prefix, name)}: i32 = ${i};`);
    });
    out.push(`export const ${prefix}_COUNT: i32 = ${columns.length};`);
    out.push(`/** Bytes per element of each ${prefix === 'ROW' ? 'row' : 'line'} column, in order. */`);
    out.push(`export const ${prefix}_BYTES: StaticArray<u8> = [${columns.map(([, kind]) => KIND_BYTES[kind]).join(', ')}];`);
  };
  table('ROW', layout.ROW_COLUMNS);
  table('LINE', layout.LINE_COLUMNS);
  return `${out.join('\n')}\n`;
}

/** Bytes per element of a column kind. */
export function kindBytes(kind: layout.WasmColumnKind): number {
  return KIND_BYTES[kind];
}

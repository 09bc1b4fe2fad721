/** The module's copy of the layout is generated from src/layout.ts: stale copies fail here. */
import { readFileSync } from 'node:fs';
import { ROW_COLUMNS as CORE_ROW_COLUMNS } from '@simfleet/core/columns';
import { describe, expect, it } from 'vitest';
import { ROW_COLUMNS } from '../src/layout.js';
import { renderAssemblyLayout } from '../src/renderLayout.js';

describe('layout', () => {
  it('assembly/layout.ts is what src/layout.ts generates (run `pnpm --filter @simfleet/wasm layout` after a change)', () => {
    const committed = readFileSync(new URL('../assembly/layout.ts', import.meta.url), 'utf8');
    expect(committed).toBe(renderAssemblyLayout());
  });

  it("the module's first row columns are core's row columns, in order and type (the boundary copies them one set each)", () => {
    expect(ROW_COLUMNS.slice(0, CORE_ROW_COLUMNS.length)).toEqual(CORE_ROW_COLUMNS);
  });

  it('the generated copy carries every status and column', () => {
    const text = renderAssemblyLayout();
    for (const name of ['STATUS_ROW', 'STATUS_FALLBACK', 'STATUS_INVALID', 'STATUS_BLANK', 'STATUS_HELD', 'REASON_PENDING'])
      expect(text).toContain(`export const ${name}: u8`);
    expect(text).toContain(`export const ROW_COUNT: i32 = ${ROW_COLUMNS.length};`);
    expect(text).toContain('export const ROW_REJECTION_REASON: i32 = 14;');
  });
});

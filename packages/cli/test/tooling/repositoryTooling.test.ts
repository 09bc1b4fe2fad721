/**
 * The repository's tooling as a new user meets it: a quiet first run (no pnpm update box,
 * no turbo telemetry notice, no Biome deprecation block), the test command ending with its
 * summary line, Biome refusing import cycles that exist at run time, and its formatter on.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../support.js';

const BIOME = join(REPO, 'node_modules/@biomejs/biome/bin/biome');
const rootManifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Runs the repository's Biome configuration over `files` in a fresh folder (`lint`, or `format`). */
function lint(files: Record<string, string>, command: 'lint' | 'format' = 'lint'): { status: number | null; output: string } {
  const dir = tempDir();
  const config = JSON.parse(readFileSync(join(REPO, 'biome.json'), 'utf8')) as Record<string, unknown>;
  delete config['$schema'];
  writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
  mkdirSync(join(dir, 'src'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'src', name), text);
  const run = spawnSync(process.execPath, [BIOME, command, 'src'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('a quiet first run', () => {
  it('pnpm shows no update box and turbo no telemetry notice', () => {
    expect(readFileSync(join(REPO, '.npmrc'), 'utf8')).toMatch(/^update-notifier=false$/m);
    const turboScripts = Object.entries(rootManifest.scripts).filter(([, command]) => command.includes('turbo run'));
    expect(turboScripts.map(([name]) => name)).toEqual(expect.arrayContaining(['build', 'test', 'start']));
    for (const [name, command] of turboScripts) expect(command, name).toContain('TURBO_TELEMETRY_DISABLED=1 turbo run');
  });

  it("the test command's last step prints the 'N passed, N failed' line", () => {
    expect(rootManifest.scripts['test']).toMatch(/; node scripts\/ci-summary\.mjs \.vitest-results\.json \$\?$/);
    const report = join(tempDir(), 'report.json');
    writeFileSync(report, JSON.stringify({ numPassedTests: 7, numFailedTests: 0 }));
    const ok = spawnSync(process.execPath, [join(REPO, 'scripts/ci-summary.mjs'), report, '0'], { encoding: 'utf8' });
    expect(ok.stdout).toBe('7 passed, 0 failed\n');
    expect(ok.status).toBe(0);
    const broken = spawnSync(process.execPath, [join(REPO, 'scripts/ci-summary.mjs'), join(tempDir(), 'none.json'), '1'], { encoding: 'utf8' });
    expect(broken.stdout).toBe('0 passed, 1 failed\n');
    expect(broken.status).toBe(1);
  });

  it('Biome prints no deprecation block for the configuration', () => {
    const run = lint({ 'ok.ts': 'export const one = 1;\n' });
    expect(run.output).not.toMatch(/DEPRECATED|deprecated/);
    expect(run.status, run.output).toBe(0);
  });
});

describe('the import-cycle rule', () => {
  it('refuses a cycle of runtime imports', () => {
    const run = lint({
      'a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n",
    });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('lint/suspicious/noImportCycles');
  });

  it('lets a cycle through type-only imports pass (they vanish at run time)', () => {
    const run = lint({
      'shape.ts': "import type { Area } from './area.js';\nexport interface Shape { readonly area: Area }\n",
      'area.ts': "import type { Shape } from './shape.js';\nexport type Area = number;\nexport const areaOf = (s: Shape): Area => s.area;\n",
    });
    expect(run.output).not.toContain('noImportCycles');
    expect(run.status, run.output).toBe(0);
  });
});

describe('the formatter', () => {
  const formatted = [
    'export function total(rows: readonly number[], chunk: number): number {',
    '  let sum = 0;',
    '  for (let start = 0; start < rows.length; start += chunk) {',
    '    const end = Math.min(start + chunk, rows.length);',
    '    for (let k = start; k < end; k++) sum += rows[k] ?? 0;',
    '  }',
    '  return sum;',
    '}',
    '',
  ].join('\n');

  it('is on: a loop body left unindented is reported', () => {
    const flat = formatted.replace('    const end', '  const end').replace('    for (let k', '  for (let k');
    const run = lint({ 'loop.ts': flat }, 'format');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('Formatter would have printed');
  });

  it('accepts the repository style (2 spaces, single quotes, semicolons, lines up to 160)', () => {
    const run = lint({ 'loop.ts': `import { join } from 'node:path';\nexport const where = join('a', 'b');\n${formatted}` }, 'format');
    expect(run.status, run.output).toBe(0);
  });
});

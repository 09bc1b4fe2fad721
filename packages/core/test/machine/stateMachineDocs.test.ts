/**
 * docs/state-machine.md is generated from the machines: it must not be stale, every
 * changing transition has a documented rule, and every rule says where it comes from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { renderStateMachineMarkdown } from '../../src/docs/stateMachineMarkdown.js';
import { DIAGRAM_REGIONS, renderStateMachineSvgs } from '../../src/docs/stateMachineSvg.js';
import { EVENT_TYPES } from '../../src/catalog/eventTypes.js';
import { RULE_SOURCES } from '../../src/machine/ruleSources.js';
import { getCompiledMachine } from '../../src/reducer/compileMachine.js';

const DOC = new URL('../../../../docs/state-machine.md', import.meta.url);

describe('docs/state-machine.md', () => {
  test('is up to date with the machine', () => {
    const rendered = renderStateMachineMarkdown();
    const committed = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
    expect(committed === rendered, 'docs/state-machine.md is stale: run `pnpm run docs`').toBe(true);
  });

  test('has a diagram per region, the organisation one, and a table row per changing transition', () => {
    const md = renderStateMachineMarkdown();
    expect(md.match(/```mermaid/g)).toHaveLength(7);
    const c = getCompiledMachine();
    let changing = 0;
    for (const t of [...c.regions, c.organisation]) {
      t.states.forEach((_, s) => {
        for (let e = 0; e < c.eventCount; e++) if (t.next[s * c.eventCount + e] !== s) changing++;
      });
    }
    const rows = md.split('\n').filter((l) => /^\| (connectivity|sim|endpoint|block|dataQuota|smsQuota|organisation) \|/.test(l));
    expect(rows).toHaveLength(changing);
    expect(md).toContain('| connectivity | OFFLINE | SESSION_REJECTED | ATTACHED |');
    expect(md).toContain('DELETED --> [*]');
  });

  test('marks inferences as such', () => {
    const md = renderStateMachineMarkdown();
    const inferred = RULE_SOURCES.filter((r) => r.basis === 'inference');
    expect(inferred.length).toBeGreaterThanOrEqual(4);
    for (const r of inferred) expect(md).toContain(`: ${r.rule}`);
    expect(md).toContain('| block | BLOCKED | SESSION_CREATED | NOT_BLOCKED | R15 | **inference** |');
  });

  test('every rule that is not an inference quotes its source, naming where it is', () => {
    const quotes = RULE_SOURCES.flatMap((r) => r.quotes);
    expect(quotes.length).toBeGreaterThan(RULE_SOURCES.length - 1);
    for (const rule of RULE_SOURCES) {
      if (rule.basis !== 'inference' && rule.basis !== 'decision') expect(rule.quotes.length, rule.rule).toBeGreaterThan(0);
    }
    const typeNames = new Set(EVENT_TYPES.map((t) => t.name));
    for (const q of quotes) {
      expect(q.quote.length).toBeGreaterThan(10);
      // A seed quote names the event type page it is from.
      if (q.basis === 'seed') expect(typeNames, q.where).toContain(q.where.replace(/^seeds › /, ''));
    }
  });
});

describe('docs/state-machine/*.svg', () => {
  const svgs = renderStateMachineSvgs();

  test('are up to date with the machine, one per region, each linked from docs/state-machine.md', () => {
    expect(Object.keys(svgs)).toEqual(DIAGRAM_REGIONS.map((r) => `state-machine/${r}.svg`));
    const md = renderStateMachineMarkdown();
    for (const [path, svg] of Object.entries(svgs)) {
      const file = new URL(`../../../../docs/${path}`, import.meta.url);
      const committed = existsSync(file) ? readFileSync(file, 'utf8') : '';
      expect(committed === svg, `docs/${path} is stale: run \`pnpm run docs\``).toBe(true);
      expect(md).toContain(`](${path})`);
    }
  });

  test('draw every state of a region and one arrow per changing (from, to) pair', () => {
    const c = getCompiledMachine();
    for (const region of DIAGRAM_REGIONS) {
      const table = region === 'organisation' ? c.organisation : c[region];
      const svg = svgs[`state-machine/${region}.svg`]!;
      for (const state of table.states) expect(svg, `${region} ${state}`).toContain(`>${state}</text>`);
      const pairs = new Set<string>();
      table.states.forEach((_, s) => {
        for (let e = 0; e < c.eventCount; e++) {
          const to = table.next[s * c.eventCount + e]!;
          if (to !== s) pairs.add(`${s}>${to}`);
        }
      });
      // One marker-ended path per pair, plus the initial arrow.
      expect(svg.match(/marker-end="url\(#arrow\)"/g), region).toHaveLength(pairs.size + 1);
    }
  });
});

/**
 * docs/state-machine.md is generated from the machines: it must not be stale, every
 * changing transition has a documented rule, and every quote is verbatim from its source.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { renderStateMachineMarkdown } from '../../src/docs/stateMachineMarkdown.js';
import { RULE_SOURCES } from '../../src/machine/ruleSources.js';
import { getCompiledMachine } from '../../src/reducer/compileMachine.js';

const DOC = new URL('../../../../docs/state-machine.md', import.meta.url);
const SEEDS = new URL('../../../../../shared/seeds/', import.meta.url);
const REFERENCE = new URL('../../../../../shared/reference/emnify-events.md', import.meta.url);

/** Markdown links reduced to their text, whitespace collapsed. */
const normalise = (text: string): string => text.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replace(/\s+/g, ' ');

describe('docs/state-machine.md', () => {
  test('is up to date with the machine', () => {
    const rendered = renderStateMachineMarkdown();
    const committed = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
    expect(committed === rendered, 'docs/state-machine.md is stale: run `pnpm docs`').toBe(true);
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

  test('quotes are verbatim from the seeds and the reference file', () => {
    const seeds = existsSync(SEEDS)
      ? normalise(
          ['000_180495b5c96b1a78.txt', '002_5ee28af1330c3aaa.txt', '003_d62b197e079779fe.txt']
            .map((f) => new URL(f, SEEDS))
            .filter((u) => existsSync(u))
            .map((u) => readFileSync(u, 'utf8'))
            .join('\n'),
        )
      : null;
    const reference = existsSync(REFERENCE) ? normalise(readFileSync(REFERENCE, 'utf8')) : null;
    const quotes = RULE_SOURCES.flatMap((r) => r.quotes);
    expect(quotes.length).toBeGreaterThan(RULE_SOURCES.length - 1);
    for (const q of quotes) {
      expect(q.quote.length).toBeGreaterThan(10);
      const source = q.basis === 'seed' ? seeds : reference;
      // Outside this workspace the shared documents may be absent; then only the shape is checked.
      if (source !== null) expect(source, `${q.where}: ${q.quote}`).toContain(normalise(q.quote));
    }
  });
});

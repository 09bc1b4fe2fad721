/** docs/events.md is generated from the catalogs; this fails when the committed file is stale. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/catalog/eventTypes.js';
import { renderEventsMarkdown } from '../../src/docs/eventsMarkdown.js';

const docPath = fileURLToPath(new URL('../../../../docs/events.md', import.meta.url));

describe('docs/events.md', () => {
  it('matches renderEventsMarkdown()', () => {
    const committed = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '(missing)';
    expect(committed === renderEventsMarkdown(), 'docs/events.md is stale: run `pnpm run docs`').toBe(true);
  });

  it('has one table row per catalog entry, with its id, key, category, entity, effect and source', () => {
    const rows = renderEventsMarkdown()
      .split('\n')
      .filter((line) => /^\| \d+ \| `/.test(line));
    expect(rows).toHaveLength(EVENT_TYPES.length);
    for (const [i, t] of EVENT_TYPES.entries()) {
      expect(rows[i]).toContain(`| ${t.id} | \`${t.key}\` | ${t.name} | ${t.category} | ${t.entity} | \`${t.effect}\` | ${t.source} |`);
    }
  });

  it('documents the source, severity, RAT and rejection catalogs and the decoding rules', () => {
    const doc = renderEventsMarkdown();
    for (const text of [
      '### event_source',
      '| 1 | Policy Control |',
      '### event_severity',
      '| 2 | Critical |',
      '| 8 | NB-IoT |',
      '`QUOTA_EXHAUSTED_BLOCKED`',
      '## Decoding rules',
      'raw line break',
    ]) {
      expect(doc).toContain(text);
    }
    expect(doc).toContain('| `PDP_CREATE` | `SESSION_CREATED` if');
  });
});

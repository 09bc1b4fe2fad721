import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support.js';
import { seedExamples } from './seedExamples.js';

/** The example records with a raw line break inside a string, made valid JSON. */
function escapeBreaksInStrings(json: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString && c === '\\') {
      out += c + json[++i];
      continue;
    }
    if (c === '"') inString = !inString;
    out += inString && c === '\n' ? '\\n' : c;
  }
  return out;
}

describe('seed example fixture', () => {
  it('holds the records of examples/data/seed-events.ndjson, in order', () => {
    const copy = seedExamples();
    expect(copy.length).toBeGreaterThan(10);
    const sample = readFileSync(join(REPO, 'examples/data/seed-events.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as unknown);
    expect(copy.map((e) => JSON.parse(escapeBreaksInStrings(e.text)) as unknown)).toEqual(sample);
  });
});

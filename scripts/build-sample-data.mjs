// Builds examples/data/, the sample logs the README's main command replays:
// - seed-events.ndjson: every example event of emnify's documentation (packages/core/test/fixtures), one per line;
// - simulated-fleet.ndjson.gz: a deterministic simulated fleet from the testkit.
// Run after `pnpm build`: `node scripts/build-sample-data.mjs [outDir]` (default examples/data).
// A CLI test rebuilds them into a temporary folder and checks the committed files are current.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { generateFleetLog } from '../packages/testkit/dist/index.js';

const outDir = new URL(process.argv[2] === undefined ? '../examples/data/' : `file://${process.argv[2].replace(/\/?$/, '/')}`, import.meta.url);
const SAMPLE_FLEET = { events: 30000, devices: 3000, seed: 2026 };

const seeds = JSON.parse(readFileSync(new URL('../packages/core/test/fixtures/seed-events.json', import.meta.url), 'utf8'));
const lines = seeds.map((example) => JSON.stringify(JSON.parse(escapeRawLineBreaks(example.text))));
writeFileSync(new URL('seed-events.ndjson', outDir), `${lines.join('\n')}\n`);

const chunks = [];
generateFleetLog(SAMPLE_FLEET, (chunk) => chunks.push(chunk));
// mtime 0 in the gzip header keeps the file byte-identical across runs.
writeFileSync(new URL('simulated-fleet.ndjson.gz', outDir), gzipSync(chunks.join(''), { level: 9 }));
console.log(`wrote ${lines.length} seed events and a simulated fleet of ${SAMPLE_FLEET.devices} devices`);

/** The seed's Update location example breaks a string across lines; JSON needs `\n` there. */
function escapeRawLineBreaks(text) {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString && c === '\\') {
      out += c + text[++i];
      continue;
    }
    if (c === '"') inString = !inString;
    out += inString && c === '\n' ? '\\n' : c;
  }
  return out;
}

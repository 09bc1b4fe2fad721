// Builds examples/data/, the sample logs the README's main command replays:
// - seed-events.ndjson: every example event of emnify's documentation, one per line (a copy of
//   packages/core/test/fixtures/seed-events.ndjson, the decoder tests' fixture);
// - simulated-fleet.ndjson.gz: a deterministic simulated fleet from the testkit.
// Run after `pnpm build`: `node scripts/build-sample-data.mjs [outDir]` (default examples/data).
// A CLI test rebuilds them into a temporary folder and checks the committed files are current.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { generateFleetLog } from '../packages/testkit/dist/index.js';

const outDir = new URL(process.argv[2] === undefined ? '../examples/data/' : `file://${process.argv[2].replace(/\/?$/, '/')}`, import.meta.url);
const SAMPLE_FLEET = { events: 30000, devices: 3000, seed: 2026 };

const seeds = new URL('../packages/core/test/fixtures/seed-events.ndjson', import.meta.url);
copyFileSync(seeds, new URL('seed-events.ndjson', outDir));
const seedCount = readFileSync(seeds, 'utf8')
  .split('\n')
  .filter((l) => l !== '').length;

const chunks = [];
generateFleetLog(SAMPLE_FLEET, (chunk) => chunks.push(chunk));
// mtime 0 in the gzip header keeps the file byte-identical across runs.
writeFileSync(new URL('simulated-fleet.ndjson.gz', outDir), gzipSync(chunks.join(''), { level: 9 }));
console.log(`wrote ${seedCount} seed events and a simulated fleet of ${SAMPLE_FLEET.devices} devices`);

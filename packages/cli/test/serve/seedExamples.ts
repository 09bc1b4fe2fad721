import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One example JSON text of emnify's event-type documentation. */
export interface SeedExample {
  readonly seed: string;
  /** The caption of the example. */
  readonly summary: string;
  /** The JSON text exactly as the documentation shows it. */
  readonly text: string;
}

const FIXTURE = fileURLToPath(new URL('./fixtures/seed-events.json', import.meta.url));

/** The committed example records (the same records as `examples/data/seed-events.ndjson`). */
export function seedExamples(): SeedExample[] {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as SeedExample[];
}

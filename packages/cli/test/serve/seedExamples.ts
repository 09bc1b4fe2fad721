import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One example JSON text of the emnify seed docs. */
export interface SeedExample {
  readonly seed: string;
  /** The `<summary>` of the example's `<details>` block. */
  readonly summary: string;
  /** The JSON text exactly as the doc shows it. */
  readonly text: string;
}

/** Where the seed docs live in a checkout of the workplace (absent on other machines). */
export const SEEDS_DIR = fileURLToPath(new URL('../../../../../shared/seeds/', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/seed-events.json', import.meta.url));

/** The non-empty ```json blocks of one seed markdown file, in order. */
export function extractSeedExamples(markdown: string, seed: string): SeedExample[] {
  const examples: SeedExample[] = [];
  const block = /<summary>([^<]*)<\/summary>[\s\S]*?```json\n([\s\S]*?)```/g;
  for (const match of markdown.matchAll(block)) {
    const text = (match[2] as string).trim();
    if (text !== '') examples.push({ seed, summary: (match[1] as string).trim(), text });
  }
  return examples;
}

/** Extracts from the seed directory (for the drift check). */
export function extractFromSeedsDir(dir: string = SEEDS_DIR): SeedExample[] | undefined {
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir)
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .flatMap((name) => extractSeedExamples(readFileSync(`${dir}${name}`, 'utf8'), name));
}

/** The committed copy of the seed examples. */
export function seedExamples(): SeedExample[] {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as SeedExample[];
}

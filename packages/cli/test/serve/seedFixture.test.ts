import { describe, expect, it } from 'vitest';
import { extractFromSeedsDir, seedExamples } from './seedExamples.js';

describe('seed example fixture', () => {
  it('is the seeds’ examples, unchanged (checked where the seeds are present)', () => {
    const fromSeeds = extractFromSeedsDir();
    const copy = seedExamples();
    expect(copy.length).toBeGreaterThan(10);
    if (fromSeeds !== undefined) expect(copy).toEqual(fromSeeds);
  });
});

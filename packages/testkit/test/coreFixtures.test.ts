/**
 * Core's fast-path tests read simulator output from files (core cannot depend on the testkit,
 * which depends on it): those files must be exactly what the simulator writes today.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateFleetLog } from '../src/index.js';

const FIXTURES = [
  { name: 'simulator-canonical.ndjson', options: { events: 300, devices: 40, seed: 11, messy: false } },
  { name: 'simulator-messy.ndjson', options: { events: 600, devices: 40, seed: 12, messy: true } },
];

describe("core's simulator fixtures", () => {
  for (const { name, options } of FIXTURES) {
    it(`${name} is what generateFleetLog(${JSON.stringify(options)}) writes (regenerate it after changing the simulator)`, () => {
      let text = '';
      generateFleetLog(options, (chunk) => {
        text += chunk;
      });
      expect(readFileSync(new URL(`../../core/test/fixtures/${name}`, import.meta.url), 'utf8')).toBe(text);
    });
  }
});

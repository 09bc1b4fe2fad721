/**
 * The snapshot schema's enums are generated from the machine (`pnpm run docs`): the
 * committed schema must hold exactly them, and they must be what snapshots contain.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSnapshotSchemaEnums, snapshotSchemaEnums } from '@simfleet/core/docs';
import { describe, expect, it } from 'vitest';
import { REPO } from './support.js';

const SCHEMA_PATH = join(REPO, 'packages/cli/schema/snapshot-v1.schema.json');

describe('snapshot-v1.schema.json enums', () => {
  const text = readFileSync(SCHEMA_PATH, 'utf8');
  const schema = JSON.parse(text) as { $defs: { endpoint: { properties: Record<string, { enum?: unknown[] }> } } };
  const properties = schema.$defs.endpoint.properties;

  it('are up to date with the machine (run `pnpm run docs`)', () => {
    expect(renderSnapshotSchemaEnums(text) === text, 'snapshot-v1.schema.json enums are stale: run `pnpm run docs`').toBe(true);
    for (const [field, values] of Object.entries(snapshotSchemaEnums())) expect(properties[field]?.enum, field).toEqual(values);
  });

  it('hold the region views: no internal state names, null where no event has told', () => {
    const enums = snapshotSchemaEnums();
    expect(enums['connectivity']).toEqual(['OFFLINE', 'ATTACHED', 'ONLINE']);
    expect(enums['dataQuota']).not.toContain('ACTIVE_THRESHOLD');
    expect(enums['dataQuota']).not.toContain('UNKNOWN');
    expect(enums['simStatus']?.at(-1)).toBeNull();
    expect(enums['status']).toEqual(['DELETED', 'SUSPENDED', 'DISABLED', 'BLOCKED', 'ONLINE', 'ATTACHED', 'OFFLINE']);
  });

  it('refuse a schema that lost one of the enum fields', () => {
    expect(() => renderSnapshotSchemaEnums(text.replace('"smsQuota": { "enum"', '"smsQuota": { "type"'))).toThrow('"smsQuota"');
  });
});

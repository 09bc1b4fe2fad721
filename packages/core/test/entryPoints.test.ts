/**
 * The package's entry points are drawn on purpose: the main entry is the public model and
 * engine; the column internals, the checkpoint format and the doc generators sit behind
 * their subpaths; the hash and slot helpers of the string pool are in no entry at all.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as checkpoint from '../src/checkpoint/index.js';
import * as columns from '../src/columns.js';
import * as docs from '../src/docs/index.js';
import * as main from '../src/index.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, { source: string; types: string; default: string }>;
  typesVersions: { '*': Record<string, string[]> };
};

describe('@simfleet/core entry points', () => {
  it('keep internals out of the main entry', () => {
    const internals = [
      ...['hashBytes', 'indexSlots', 'NULL_REF', 'operatorKey', 'COLUMN_KIND_BYTES', 'POOL_COLUMNS', 'NO_RAT_TYPE', 'NO_REJECTION_REASON'],
      ...['sortBatch', 'compareRowContent', 'compareRowsContent', 'dropDuplicateIds', 'reportDeviceChange', 'civilFromDays'],
      ...['FastLineDecoder', 'FAST_FALLBACK', 'MAX_PLANNED_TYPE_ID', 'timestampBytes', 'invalidUtf8Offset', 'utf8SequenceLength'],
      ...['NdjsonLines', 'DEFAULT_MAX_LINE_BYTES', 'TOO_LONG_HEAD_BYTES', 'BOM', 'bomLength', 'firstNonBlank', 'isGzipMagic', 'isJsonBlank'],
      ...['CheckpointStringPool', 'CheckpointError', 'CHECKPOINT_MAGIC', 'CHECKPOINT_FORMAT_VERSION', 'CHECKPOINT_COLUMNS'],
      ...['encodeCheckpoint', 'decodeCheckpoint', 'restoreColumns', 'machineFingerprint', 'machineFingerprintText'],
      ...['renderEventsMarkdown', 'renderStateMachineMarkdown', 'renderStateMachineSvgs', 'snapshotSchemaEnums'],
    ];
    for (const name of internals) expect(Object.keys(main), name).not.toContain(name);
    // Each internal is reachable through a subpath.
    for (const name of internals.filter((n) => !['hashBytes', 'indexSlots', 'NULL_REF'].includes(n))) {
      expect(
        [columns, checkpoint, docs].some((entry) => Object.keys(entry).includes(name)),
        name,
      ).toBe(true);
    }
    for (const name of [
      'FleetStore',
      'applyBatch',
      'decodeEvent',
      'classifyEvent',
      'deviceMachine',
      'EventColumns',
      'StringPool',
      'endpointJson',
      'transitionOf',
    ]) {
      expect(Object.keys(main), name).toContain(name);
    }
  });

  it('put the doc generators, the checkpoint format and the column layout behind subpaths', () => {
    expect(Object.keys(docs).sort()).toEqual(
      [
        'DIAGRAM_REGIONS',
        'renderEventsMarkdown',
        'renderRegionSvg',
        'renderSnapshotSchemaEnums',
        'renderStateMachineMarkdown',
        'renderStateMachineSvgs',
        'snapshotSchemaEnums',
      ].sort(),
    );
    expect(Object.keys(checkpoint)).toEqual(expect.arrayContaining(['encodeCheckpoint', 'decodeCheckpoint', 'restoreColumns', 'CheckpointStringPool']));
    expect(Object.keys(columns)).toEqual(
      expect.arrayContaining([
        'appendRow',
        'ROW_COLUMNS',
        'POOL_COLUMNS',
        'FastLineDecoder',
        'sortBatch',
        'StringPool',
        'encodeRowBlock',
        'decodeRowBlock',
        'rowBlockLayout',
      ]),
    );
    for (const name of ['encodeRowBlock', 'decodeRowBlock', 'rowBlockLayout']) expect(Object.keys(main), name).not.toContain(name);
    for (const entry of [checkpoint, columns, docs]) {
      for (const name of ['hashBytes', 'indexSlots', 'NULL_REF']) expect(Object.keys(entry), name).not.toContain(name);
    }
  });

  it('declares each subpath for node16 (exports) and node10 (typesVersions) resolution', () => {
    for (const [sub, source] of [
      ['./columns', './src/columns.ts'],
      ['./checkpoint', './src/checkpoint/index.ts'],
      ['./docs', './src/docs/index.ts'],
    ] as const) {
      const entry = manifest.exports[sub];
      expect(entry?.source, sub).toBe(source);
      expect(entry?.types, sub).toBe(source.replace('./src/', './dist/').replace(/\.ts$/, '.d.ts'));
      expect(manifest.typesVersions['*'][sub.slice(2)], sub).toEqual([entry?.types]);
    }
  });
});

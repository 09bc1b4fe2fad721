import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_COLUMNS, CHECKPOINT_FORMAT_VERSION, POOL_COLUMNS } from '../../src/checkpoint/checkpointLayout.js';
import type { CheckpointHasher } from '../../src/checkpoint/CheckpointHasher.js';
import type { CheckpointHeader } from '../../src/checkpoint/CheckpointHeader.js';
import { decodeCheckpoint } from '../../src/checkpoint/decodeCheckpoint.js';
import { encodeCheckpoint } from '../../src/checkpoint/encodeCheckpoint.js';
import { machineFingerprint, machineFingerprintText } from '../../src/checkpoint/machineFingerprint.js';
import { restoreColumns } from '../../src/checkpoint/restoreColumns.js';
import { getCompiledMachine } from '../../src/reducer/compileMachine.js';
import { EventColumns } from '../../src/reducer/EventColumns.js';
import { StringPool } from '../../src/reducer/StringPool.js';
import type { DeviceEvent } from '../../src/machine/deviceEvent.js';
import { eventsArb } from '../reducer/arbitraries.js';

const sha256: CheckpointHasher = {
  name: 'sha256',
  digestBytes: 32,
  digest: (bytes) => createHash('sha256').update(bytes).digest(),
};

const header: CheckpointHeader = {
  createdAt: '2024-05-01T10:00:00.000Z',
  until: null,
  account: {
    records: 12,
    rejected: 2,
    rejectedByReason: [
      ['invalid_json', 1],
      ['wrong_type', 1],
    ],
    unknownEventTypes: [[999, 1]],
    eventsWithoutEndpoint: 3,
    duplicatesRemoved: 0,
  },
  inputs: [{ kind: 'file', path: '/logs/a.ndjson', size: 1234, mtimeMs: 1714557600000.5, position: 14, complete: true }],
};

/** Strings the pool must carry exactly: non-ASCII, a BOM, lone surrogates, NUL. */
const oddText = fc.string({
  unit: fc.oneof(fc.constantFrom('\ud800', '\udfff', '\ufeff', 'é', '😀', '\u0000', '\n'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  maxLength: 6,
});

/** Events plus a few odd strings put into their identity fields. */
const batchArb = fc
  .tuple(eventsArb({ maxLength: 40 }), fc.array(oddText, { maxLength: 8 }))
  .map(([events, odd]) =>
    events.map((e, i): DeviceEvent => (i < odd.length ? { ...e, observation: { ...e.observation, imei: odd[i] ?? null, apn: `${odd[i]}x` } } : e)),
  );

function columnsOf(events: readonly DeviceEvent[], pool = new StringPool()): EventColumns {
  const columns = new EventColumns(pool, 4);
  for (const e of events) {
    const r = columns.push(e);
    if (!r.ok) throw r.error;
  }
  return columns;
}

/** Every row as plain values with strings resolved (what the reducer would read). */
function rowsOf(c: EventColumns, from = 0): unknown[] {
  const out: unknown[] = [];
  for (let r = from; r < c.length; r++) {
    out.push(
      CHECKPOINT_COLUMNS.map(([name]) => {
        const v = c[name][r]!;
        return POOL_COLUMNS.includes(name) ? c.pool.get(v) : Object.is(v, -0) ? 'neg0' : v;
      }),
    );
  }
  return out;
}

describe('checkpoint format', () => {
  it('round-trips rows, strings and header exactly; the loaded pool keeps every reference', () => {
    fc.assert(
      fc.property(batchArb, oddText, (events, fresh) => {
        const columns = columnsOf(events);
        const bytes = encodeCheckpoint({ header, columns }, sha256);
        const r = decodeCheckpoint(bytes, sha256);
        if (!r.ok) throw r.error;
        expect(r.value.header).toEqual(header);
        const pool = r.value.pool;
        const restored = new EventColumns(pool);
        restoreColumns(r.value, restored);
        expect(restored.length).toBe(columns.length);
        expect(pool.size).toBe(columns.pool.size);
        for (let ref = 1; ref <= columns.pool.size; ref++) {
          const value = columns.pool.get(ref)!;
          expect(pool.get(ref)).toBe(value);
          expect(pool.intern(value)).toBe(ref);
        }
        for (const [name] of CHECKPOINT_COLUMNS)
          expect(Array.from(restored[name].subarray(0, restored.length))).toEqual(Array.from(columns[name].subarray(0, columns.length)));
        // New strings get new references; the restored columns keep growing like any others.
        const expectedRef = columns.pool.intern(`${fresh}~new`);
        expect(pool.intern(`${fresh}~new`)).toBe(expectedRef);
        expect(pool.get(expectedRef)).toBe(`${fresh}~new`);
        expect(restored.push(events[0]!).ok).toBe(true);
        expect(rowsOf(restored, restored.length - 1)).toEqual(rowsOf(columns, 0).slice(0, 1));
      }),
      { numRuns: 60 },
    );
  });

  it('appends to non-empty columns of another pool, translating string references', () => {
    fc.assert(
      fc.property(batchArb, batchArb, (first, second) => {
        const saved = columnsOf(second);
        const r = decodeCheckpoint(encodeCheckpoint({ header, columns: saved }, sha256), sha256);
        if (!r.ok) throw r.error;
        const target = columnsOf(first);
        const before = target.length;
        restoreColumns(r.value, target);
        expect(rowsOf(target, before)).toEqual(rowsOf(saved));
        expect(rowsOf(target).slice(0, before)).toEqual(rowsOf(columnsOf(first)));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses every truncation, and every single-byte change, never half-loading', () => {
    const columns = columnsOf(fc.sample(batchArb, { numRuns: 1, seed: 42 })[0]!);
    const bytes = encodeCheckpoint({ header, columns }, sha256);
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), (cut) => {
        const r = decodeCheckpoint(bytes.slice(0, cut), sha256);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe('truncated');
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const damaged = bytes.slice();
        damaged[at]! ^= xor;
        const r = decodeCheckpoint(damaged, sha256);
        expect(r.ok).toBe(false);
        if (!r.ok && at >= 64) expect(r.error.code).toBe('corrupt');
      }),
      { numRuns: 200 },
    );
  });

  it('gives each refusal its own code', () => {
    const bytes = encodeCheckpoint({ header, columns: columnsOf([]) }, sha256);
    const code = (b: Uint8Array, hasher = sha256): string | undefined => {
      const r = decodeCheckpoint(b, hasher);
      return r.ok ? undefined : r.error.code;
    };
    expect(code(bytes)).toBeUndefined();
    expect(code(new TextEncoder().encode('{"schema":"simfleet/snapshot@1"}'))).toBe('bad_magic');
    // Version 1 (UTF-16 hashed string index) and any future version are refused.
    for (const version of [1, CHECKPOINT_FORMAT_VERSION + 1]) {
      const other = bytes.slice();
      new DataView(other.buffer).setUint32(8, version, true);
      expect(code(other)).toBe('unsupported_version');
    }
    expect(code(bytes.slice(0, bytes.length - 1))).toBe('truncated');
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(code(longer)).toBe('corrupt');
    const last = bytes.slice();
    last[last.length - 1]! ^= 1;
    expect(code(last)).toBe('corrupt');
    expect(code(bytes, { name: 'other', digestBytes: 32, digest: sha256.digest })).toBe('unsupported_version');
  });

  it('refuses a checkpoint of another statechart version, saying to replay from the logs', () => {
    const compiled = getCompiledMachine();
    const other = { ...compiled, status: compiled.status.map((s, i) => (i === 0 ? (s + 1) % 7 : s)) };
    expect(machineFingerprint(other)).not.toBe(machineFingerprint());
    const bytes = encodeCheckpoint({ header, columns: columnsOf([]) }, sha256, { compiled: other });
    const r = decodeCheckpoint(bytes, sha256);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('machine_mismatch');
      expect(r.error.message).toMatch(/another statechart version.*replay from the logs/);
    }
    expect(decodeCheckpoint(bytes, sha256, { compiled: other }).ok).toBe(true);
  });

  it('has a stable fingerprint over the tables and vocabularies', () => {
    expect(machineFingerprint()).toMatch(/^[0-9a-f]{16}$/);
    expect(machineFingerprint()).toBe(machineFingerprint(getCompiledMachine()));
    const text = machineFingerprintText();
    for (const word of ['deviceEventTypes', 'rejectionReasons', 'SESSION_CREATED', 'ATTACHED', 'catalog']) expect(text).toContain(word);
  });
});

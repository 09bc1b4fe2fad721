import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEventText, type EmnifyEvent } from '@simfleet/core';
import { segmentFileName } from '@simfleet/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDir, DataDirError } from '../../src/serve/DataDir.js';
import { tempDir } from '../support.js';

const BASE_MS = Date.UTC(2026, 9, 1);

/** Event `id` of endpoint `id % devices`, `id` seconds after the base. */
function event(id: number, devices = 50): EmnifyEvent {
  const text = `{"id":${id},"timestamp":"${new Date(BASE_MS + id * 1000).toISOString()}","alert":false,"description":"Update location","event_type":{"id":1,"description":"Update location"},"endpoint":{"id":${1 + (id % devices)},"name":"ep"}}`;
  const decoded = decodeEventText(text);
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.value;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const options = (dir: string) => ({ dir, reorderHorizonMs: 24 * 3600_000, maxClockSkewMs: 5 * 60_000, maxSegmentBytes: 4096, log: () => undefined });

describe('DataDir', () => {
  it('a checkpoint covers the journal up to its position and deletes the segments before it; reopening gives the same state', async () => {
    const dir = join(tempDir(), 'data');
    dirs.push(dir);
    const data = await DataDir.open(options(dir));
    for (let id = 1; id <= 300; id += 10) {
      const batch = Array.from({ length: 10 }, (_, i) => event(id + i));
      await data.writeAhead(batch, () => data.live.ingest(batch));
    }
    // The segments in use (the next one may be on disk already, zeroed ahead and empty).
    const active = segmentFileName(data.journalState.end.segment);
    const inUse = (): string[] => readdirSync(join(dir, 'journal')).filter((n) => n.endsWith('.wal') && n <= active);
    // Small segments: 300 records of about 200 bytes span many of them.
    expect(inUse().length).toBeGreaterThan(5);
    await data.checkpoint();
    expect(inUse()).toEqual([active]);
    const end = data.journalState.end;
    const checkpoints = readdirSync(dir).filter((n) => n.endsWith('.ckpt'));
    expect(checkpoints).toEqual([`checkpoint-${String(end.segment).padStart(16, '0')}-${String(end.offset).padStart(16, '0')}.ckpt`]);
    // More after the checkpoint: the journal holds them, the next open replays them.
    const later = [event(301), event(302), event(5)];
    const result = await data.writeAhead(later, () => data.live.ingest(later));
    expect(result.duplicates).toBe(1);
    const before = { endpoints: data.live.fleet.endpointCount, account: data.live.account() };
    expect(before.account.applied).toBe(302);
    await data.close();
    const reopened = await DataDir.open(options(dir));
    try {
      expect(reopened.live.fleet.endpointCount).toBe(before.endpoints);
      expect(reopened.live.account().applied).toBe(302);
      for (const id of [1, 25, 50]) expect(reopened.live.fleet.readEndpoint(id)).toEqual(data.live.fleet.readEndpoint(id));
    } finally {
      await reopened.close();
    }
  });

  it('journals nothing the engine refuses (dated past the clock guard), so a later start cannot accept it', async () => {
    const dir = join(tempDir(), 'data');
    dirs.push(dir);
    const data = await DataDir.open(options(dir));
    const future = decodeEventText(`{"id":99,"timestamp":"${new Date(Date.now() + 3600_000).toISOString()}","event_type":{"id":1},"endpoint":{"id":7}}`);
    if (!future.ok) throw new Error(future.error.message);
    const batch = [event(1), future.value];
    const result = await data.writeAhead(batch, () => data.live.ingest(batch));
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => r.code)).toEqual(['future_timestamp']);
    await data.close();
    // Reopened an hour "later" in effect: the clock guard is off during recovery, yet the refused record is not there.
    const reopened = await DataDir.open(options(dir));
    expect(reopened.live.fleet.readEndpoint(7)).toBeUndefined();
    expect(reopened.live.account().applied).toBe(1);
    await reopened.close();
  });

  it('recovery replays request by request: an event too late when it came is too late again, not placed', async () => {
    const dir = join(tempDir(), 'data');
    dirs.push(dir);
    const data = await DataDir.open(options(dir));
    // Device 7: an event 25 h after the base, then (next request) one at the base: beyond the 24 h horizon.
    const newer = decodeEventText(`{"id":2,"timestamp":"${new Date(BASE_MS + 25 * 3600_000).toISOString()}","event_type":{"id":1},"endpoint":{"id":7}}`);
    const older = decodeEventText(`{"id":1,"timestamp":"${new Date(BASE_MS).toISOString()}","event_type":{"id":3},"endpoint":{"id":7}}`);
    if (!newer.ok || !older.ok) throw new Error('fixture does not decode');
    await data.writeAhead([newer.value], () => data.live.ingest([newer.value]));
    const late = await data.writeAhead([older.value], () => data.live.ingest([older.value]));
    expect(late.tooLate.map((t) => t.eventId)).toEqual([1n]);
    // As after a crash: no final checkpoint, a second process opens the directory.
    const recovered = await DataDir.open(options(dir));
    try {
      expect(recovered.live.tooLateCount).toBe(1);
      expect(recovered.live.fleet.readEndpoint(7)).toEqual(data.live.fleet.readEndpoint(7));
      expect(recovered.live.account()).toEqual(data.live.account());
    } finally {
      await recovered.close();
    }
  });

  it('refuses --from on a directory that already holds records', async () => {
    const dir = join(tempDir(), 'data');
    dirs.push(dir);
    const data = await DataDir.open(options(dir));
    await data.writeAhead([event(1)], () => data.live.ingest([event(1)]));
    await data.close();
    await expect(DataDir.open({ ...options(dir), from: join(dir, 'nothing.ckpt') })).rejects.toThrow(DataDirError);
  });
});

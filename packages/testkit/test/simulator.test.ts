import {
  applyBatch,
  classifyEvent,
  decodeEventText,
  type DeviceEventType,
  type EmnifyEvent,
  FleetStore,
  parseJsonText,
  REJECTION_REASON_CODES,
  type RejectionReason,
} from '@simfleet/core';
import { describe, expect, it, vi } from 'vitest';
import { fleetLogChunks, generateFleetLog, generateFleetLogBytes, simulateFleetEvents } from '../src/index.js';
import { FleetSimulator } from '../src/simulator/FleetSimulator.js';
import { deviceIdentity, organisationIdentity } from '../src/simulator/identity.js';
import { blankSpec, RecordRenderer } from '../src/simulator/RecordRenderer.js';
import { T } from '../src/simulator/recordTypes.js';

function log(options: Parameters<typeof generateFleetLog>[0]): { text: string; bytes: number } {
  let text = '';
  const result = generateFleetLog(options, (chunk) => {
    text += chunk;
  });
  return { text, bytes: result.bytes };
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

function decodeAll(text: string): EmnifyEvent[] {
  return lines(text).map((line, i) => {
    const r = decodeEventText(line, { line: i + 1 });
    if (!r.ok) throw new Error(`line ${i + 1}: ${r.error.message}\n${line}`);
    return r.value;
  });
}

// Decoding ~50k records with the full decoder takes a few seconds on a slow machine.
vi.setConfig({ testTimeout: 30_000 });

describe('generateFleetLog', () => {
  it('gives the same bytes for the same seed, and other bytes for another seed', () => {
    const options = { events: 4000, devices: 300, seed: 17 };
    const a = log(options);
    const b = log(options);
    expect(a.text).toBe(b.text);
    expect(a.bytes).toBe(a.text.length);
    expect(lines(a.text)).toHaveLength(4000);
    expect(log({ ...options, seed: 18 }).text).not.toBe(a.text);
    expect(log({ ...options, messy: true }).text).toBe(log({ ...options, messy: true }).text);
  });

  it('writes records that all decode, with unique increasing ids and increasing timestamps', () => {
    const events = decodeAll(log({ events: 8000, devices: 300, seed: 3 }).text);
    for (let i = 1; i < events.length; i++) {
      const before = events[i - 1] as EmnifyEvent;
      const now = events[i] as EmnifyEvent;
      expect(now.id > before.id).toBe(true);
      expect(now.timestamp).toBeGreaterThan(before.timestamp);
    }
    for (const e of events) expect(e.id.toString()).toMatch(/^\d{15}$/);
  });

  it('every messy line decodes too, and the variants of real records do appear', () => {
    const { text } = log({ events: 8000, devices: 200, seed: 5, messy: true });
    const events = decodeAll(text);
    expect(events).toHaveLength(8000);
    expect(text).toContain('+0000"');
    expect(text).toMatch(/"timestamp":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"/);
    expect(text).toMatch(/"iccid":\d{19,20}[,}]/);
    expect(text).toContain('"alert":1');
    expect(text).toContain('"event_source":{"id":0,"name":"Network"}');
    expect(text).toContain('"sim":null');
    expect(text).toContain('"gtp_version":"');
    expect(text).toMatch(/"detail":"\{/);
    expect(text).toContain('{"imsi":');
    // A string detail that is not JSON itself is kept as text, the event still valid.
    expect(events.some((e) => e.detail?.kind === 'text')).toBe(true);
    // Bare ICCIDs beyond 2^53 keep their digits.
    const bare = /"iccid":(\d{19,20})[,}]/.exec(text)?.[1];
    expect(events.some((e) => e.sim?.iccid === bare)).toBe(true);
  });

  it('draws every kind of event the brief lists, with every rejection reason', () => {
    const events = decodeAll(log({ events: 25_000, devices: 400, seed: 11 }).text);
    const deviceTypes = new Set<DeviceEventType>();
    const reasons = new Set<RejectionReason>();
    let unknown = 0;
    let organisationLevel = 0;
    for (const e of events) {
      const d = classifyEvent(e);
      deviceTypes.add(d.type);
      if (d.observation.rejectionReason !== null) reasons.add(d.observation.rejectionReason);
      if (e.type === 'unknown') unknown++;
      if (e.endpoint === null) organisationLevel++;
    }
    expect([...deviceTypes].sort()).toEqual(
      [
        'RECORDED',
        'ATTACH',
        'SESSION_CREATED',
        'SESSION_UPDATED',
        'SESSION_REJECTED',
        'SESSION_ENDED',
        'PURGE',
        'SIM_REGISTERED',
        'SIM_ACTIVATED',
        'SIM_SUSPENDED',
        'SIM_FACTORY_TEST',
        'SIM_DELETED',
        'ENDPOINT_ENABLED',
        'ENDPOINT_DISABLED',
        'ENDPOINT_BLOCKED',
        'ORGANISATION_BLOCKED',
        'DATA_QUOTA_ASSIGNED',
        'DATA_QUOTA_THRESHOLD',
        'DATA_QUOTA_USED_UP',
        'DATA_QUOTA_EXPIRED',
        'DATA_QUOTA_DELETED',
        'SMS_QUOTA_ASSIGNED',
        'SMS_QUOTA_THRESHOLD',
        'SMS_QUOTA_USED_UP',
        'SMS_QUOTA_DELETED',
      ].sort(),
    );
    expect([...reasons].sort()).toEqual([...REJECTION_REASON_CODES].sort());
    expect(unknown).toBeGreaterThan(0);
    expect(organisationLevel).toBeGreaterThan(0);
  });

  it('walks plausible lifecycles: a Delete repeats its Create session id, a deleted SIM goes silent', () => {
    const events = decodeAll(log({ events: 10_000, devices: 100, seed: 21 }).text);
    const openSession = new Map<number, string | null>();
    const deleted = new Set<number>();
    let deletes = 0;
    for (const e of events) {
      const endpoint = e.endpoint?.id;
      if (endpoint === undefined) continue;
      expect(deleted.has(endpoint)).toBe(false);
      const session = e.detail?.kind === 'operator' ? (e.detail.pdpContext?.sessionId ?? null) : null;
      if (e.type === 'createPdpContext' && e.outcome.accepted) openSession.set(endpoint, session);
      if (e.type === 'deletePdpContext') {
        expect(openSession.get(endpoint)).toBe(session);
        expect(session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        deletes++;
      }
      if (e.type === 'simDeletion') deleted.add(endpoint);
    }
    expect(deletes).toBeGreaterThan(500);
  });

  it('replays through the engine in order: nothing duplicate or late', () => {
    const fleet = new FleetStore();
    const columns = fleet.createColumns();
    for (const e of decodeAll(log({ events: 10_000, devices: 200, seed: 8 }).text)) columns.push(classifyEvent(e));
    const result = applyBatch(fleet, columns);
    expect(result).toEqual({ applied: 10_000, duplicates: 0, late: 0 });
    expect(fleet.endpointCount).toBeGreaterThan(150);
    expect(fleet.summary().byStatus.ONLINE).toBeGreaterThan(0);
  });

  it('refuses options that make no fleet', () => {
    expect(() => generateFleetLog({ events: 10, devices: 0, seed: 1 }, () => {})).toThrow(RangeError);
    expect(() => generateFleetLog({ events: -1, devices: 3, seed: 1 }, () => {})).toThrow(RangeError);
    expect(() => generateFleetLog({ events: 1, devices: 3, seed: 1, startAt: 'soon' }, () => {})).toThrow(RangeError);
  });

  it('starts at startAt', () => {
    const [first] = decodeAll(log({ events: 1, devices: 3, seed: 1, startAt: '2024-02-29T23:59:59Z' }).text);
    expect(first?.timestamp).toBeGreaterThan(Date.parse('2024-02-29T23:59:59Z'));
    expect(first?.timestamp).toBeLessThan(Date.parse('2024-03-01T00:10:00Z'));
  });
});

describe('generateFleetLogBytes', () => {
  it('hands over the same bytes as generateFleetLog', () => {
    for (const messy of [false, true]) {
      const options = { events: 5000, devices: 200, seed: 12, messy };
      const chunks: Buffer[] = [];
      const result = generateFleetLogBytes(options, (chunk) => chunks.push(Buffer.from(chunk)));
      const text = Buffer.concat(chunks).toString('latin1');
      expect(text).toBe(log(options).text);
      expect(result).toEqual({ events: 5000, bytes: text.length });
    }
  });
});

describe('fleetLogChunks', () => {
  it("yields whole lines, about chunkBytes each, that join into generateFleetLog's text", () => {
    const options = { events: 3000, devices: 150, seed: 5, messy: true };
    const chunks = fleetLogChunks(options, 50_000);
    const texts: string[] = [];
    let next = chunks.next();
    while (next.done !== true) {
      const chunk = next.value;
      expect(chunk[chunk.length - 1]).toBe(10);
      texts.push(Buffer.from(chunk).toString('latin1'));
      next = chunks.next();
    }
    const text = texts.join('');
    expect(text).toBe(log(options).text);
    expect(texts.length).toBeGreaterThan(10);
    for (const t of texts.slice(0, -1)) expect(t.length).toBeGreaterThanOrEqual(50_000);
    expect(next.value).toEqual({ events: 3000, bytes: text.length });
  });
});

describe('simulateFleetEvents', () => {
  it('yields the records generateFleetLog writes, as objects', () => {
    for (const messy of [false, true]) {
      const options = { events: 3000, devices: 100, seed: 9, messy };
      const expected = lines(log(options).text).map((l) => {
        const r = parseJsonText(l);
        if (!r.ok) throw r.error;
        return r.value;
      });
      expect([...simulateFleetEvents(options)]).toEqual(expected);
    }
  });
});

describe('the record builder', () => {
  it('renders a device from its arena slot exactly as from its identity', () => {
    const sim = new FleetSimulator({ events: 0, devices: 5000, seed: 4 });
    const slab = (sim as unknown as { slab: { slotOf(i: number): number } }).slab;
    const viaSlab = new RecordRenderer((sim as unknown as { slab: never }).slab);
    const viaIdentity = new RecordRenderer();
    const salt = (sim as unknown as { salt: number }).salt;
    for (const index of [0, 1, 2, 3, 7, 255, 256, 4095, 4999]) {
      const organisation = sim.organisations[index % sim.organisations.length] ?? organisationIdentity(0, salt);
      for (const typeId of [T.updateLocation, T.createPdpContext, T.deletePdpContext, T.simActivation, T.generic]) {
        const spec = { ...blankSpec(organisation), typeId, variant: typeId === T.generic ? 3 : 0, id: 137000000000001, at: 1635292800123 };
        spec.sessionA = 99;
        spec.sessionB = 7;
        const identity = deviceIdentity(index, organisation, salt);
        const expected = viaIdentity.render({ ...spec, device: identity, slot: -1 });
        const w = sim.writer;
        w.clear();
        viaSlab.write(w, { ...spec, device: null, slot: slab.slotOf(index) });
        expect(w.textFrom(w.base)).toBe(expected);
        expect(JSON.parse(expected)).toBeTypeOf('object');
      }
    }
  });
});

/**
 * The generators vary `endpoint.name` the ways records do, so the properties downstream
 * (fast path == full decoder, live == replay == XState) see every shape of it.
 */
import { classifyEvent, decodeEventText, type JsonObject } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { event, generateFleetLog } from '../src/index.js';
import { NAME_VARIANTS, nameMember } from '../src/simulator/messy.js';

type Shape = 'missing' | 'null' | 'empty' | 'renamed' | 'escaped' | 'plain';

const shapeOf = (endpoint: JsonObject): Shape => {
  if (!('name' in endpoint)) return 'missing';
  const name = endpoint['name'];
  if (name === null) return 'null';
  if (name === '') return 'empty';
  if (typeof name === 'string' && name.endsWith('(renamed)')) return 'renamed';
  if (typeof name === 'string' && (name.includes('"') || name.includes('ü'))) return 'escaped';
  return 'plain';
};

describe('endpoint names in the generators', () => {
  it('nameMember writes each variant as a JSON member (or none)', () => {
    const members = NAME_VARIANTS.map((_, i) => nameMember('Test Sim 2', i << 26));
    expect(members).toEqual([
      '',
      '"name":null,',
      '"name":"",',
      '"name":"Test Sim 2 (renamed)",',
      '"name":"Test Sim 2 K\\u00fchlkette",',
      '"name":"Test Sim 2 \\"B\\"",',
    ]);
    for (const m of members.slice(1)) expect(() => JSON.parse(`{${m.slice(0, -1)}}`)).not.toThrow();
  });

  it('event() draws every shape of endpoint.name', () => {
    const seen = new Set<Shape>();
    for (const record of fc.sample(event(), { numRuns: 3000, seed: 7 })) {
      const endpoint = record['endpoint'];
      if (typeof endpoint === 'object' && endpoint !== null && !Array.isArray(endpoint)) seen.add(shapeOf(endpoint as JsonObject));
    }
    expect([...seen].sort()).toEqual(['empty', 'escaped', 'missing', 'null', 'plain', 'renamed']);
  });

  it('messy simulator logs rename devices along their history; canonical ones keep one name per device', () => {
    const namesByDevice = (messy: boolean): Map<number, Set<string | null>> => {
      let text = '';
      generateFleetLog({ events: 3000, devices: 30, seed: 9, messy }, (chunk) => {
        text += chunk;
      });
      const names = new Map<number, Set<string | null>>();
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const decoded = decodeEventText(line);
        if (!decoded.ok || decoded.value.endpoint === null) continue;
        const id = decoded.value.endpoint.id;
        if (!names.has(id)) names.set(id, new Set());
        names.get(id)?.add(classifyEvent(decoded.value).observation.name);
      }
      return names;
    };
    const canonical = namesByDevice(false);
    expect([...canonical.values()].every((s) => s.size === 1 && !s.has(null))).toBe(true);
    const messy = namesByDevice(true);
    expect([...messy.values()].filter((s) => s.size > 2).length).toBeGreaterThan(10);
  });
});

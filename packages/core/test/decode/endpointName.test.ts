/**
 * `endpoint.name` in every shape records take: present, empty, non-ASCII, escaped,
 * missing, null, of another type, and records without an endpoint. The decoder keeps a
 * string as sent, reads missing and null as "not said", and rejects another type with
 * the field's path (the record is accounted for as rejected, never half-read).
 */
import { describe, expect, it } from 'vitest';
import { eventTypeByKey } from '../../src/catalog/eventTypes.js';
import { classifyEvent } from '../../src/decode/classifyEvent.js';
import { decodeEvent } from '../../src/decode/decodeEvent.js';
import { decodeEventText } from '../../src/decode/decodeEventText.js';
import { baseRecord, err, ok, type Rec } from './support.js';

const attach = (): Rec => baseRecord(eventTypeByKey('updateLocation').id);
const withEndpoint = (endpoint: Rec | null | undefined): Rec => {
  const record = attach();
  if (endpoint === undefined) delete record['endpoint'];
  else record['endpoint'] = endpoint;
  return record;
};
const endpointWithName = (name: unknown): Rec => ({ id: 11089066, imei: '8693700220003770', ip_address: '100.102.41.209', name, tags: null });
const endpointWithoutName = (): Rec => ({ id: 11089066, imei: '8693700220003770', ip_address: '100.102.41.209', tags: null });

describe('endpoint.name', () => {
  it('keeps a string as sent, from a value and from text: plain, empty, non-ASCII, with escapes', () => {
    for (const name of ['Test Sim 2', '', 'Kühlkette Nord 🚚', 'Truck "A"\\B', ' padded ']) {
      const fromValue = ok(decodeEvent(withEndpoint(endpointWithName(name))));
      expect(fromValue.endpoint?.name).toBe(name);
      expect(classifyEvent(fromValue).observation.name).toBe(name);
      const fromText = ok(decodeEventText(JSON.stringify(withEndpoint(endpointWithName(name)))));
      expect(classifyEvent(fromText).observation.name).toBe(name);
    }
    // Escapes in the text are decoded: \u0041 is 'A'.
    const text = JSON.stringify(withEndpoint(endpointWithName('x'))).replace('"name":"x"', '"name":"\\u0041\\"b"');
    expect(classifyEvent(ok(decodeEventText(text))).observation.name).toBe('A"b');
  });

  it('reads a missing name, a null name, a null endpoint and no endpoint as "not said"', () => {
    for (const record of [withEndpoint(endpointWithoutName()), withEndpoint(endpointWithName(null)), withEndpoint(null), withEndpoint(undefined)]) {
      const event = ok(decodeEvent(record));
      expect(event.endpoint?.name ?? null).toBeNull();
      expect(classifyEvent(event).observation.name).toBeNull();
    }
  });

  it('rejects a name of another type with its path, as a value and as text', () => {
    for (const name of [7, true, { first: 'a' }, ['a'], 12345678901234567890n]) {
      const e = err(decodeEvent(withEndpoint(endpointWithName(name))));
      expect(e.code).toBe('wrong_type');
      expect(e.path).toBe('$.endpoint.name');
      expect(e.message).toMatch(/^\$\.endpoint\.name: expected a string or null, found /);
    }
    const text = JSON.stringify(withEndpoint(endpointWithName('x'))).replace('"name":"x"', '"name":42');
    expect(err(decodeEventText(text)).path).toBe('$.endpoint.name');
  });
});

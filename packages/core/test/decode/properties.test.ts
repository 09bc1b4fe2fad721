/**
 * Properties of the decoder:
 * - for arbitrary JSON values, arbitrary JavaScript values, arbitrary strings and
 *   bytes, and damaged records, it returns a result or its own DecodeError (with a
 *   JSON path), never throws;
 * - every generated valid event encodes and decodes back to itself, from the JSON
 *   value and from its text (ids beyond 2^53 included, written as bare digits);
 * - whatever it does decode re-encodes to itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventTypeEntry, eventTypeById } from '../../src/catalog/eventTypes.js';
import { REJECTION_REASONS, type RejectionReason } from '../../src/catalog/rejectionReasons.js';
import { classifyEvent } from '../../src/decode/classifyEvent.js';
import { DecodeError, type DecodeResult } from '../../src/decode/DecodeError.js';
import { decodeEvent } from '../../src/decode/decodeEvent.js';
import { decodeEventText } from '../../src/decode/decodeEventText.js';
import { encodeEvent } from '../../src/decode/encodeEvent.js';
import { stringifyJson } from '../../src/decode/stringifyJson.js';
import type { EmnifyEvent, EventBase, EventDetail, JsonObject, JsonValue } from '../../src/model/event.js';
import { baseRecord, ok, seedExamples } from './support.js';

const RUNS = { numRuns: 300 };

/** A decoder answer is a result object; a failure carries our error with a JSON path. */
function expectAnswer(result: DecodeResult<EmnifyEvent>): void {
  expect(typeof result.ok).toBe('boolean');
  if (result.ok) {
    // A decoded event is usable downstream and re-encodes to itself.
    classifyEvent(result.value);
    expect(ok(decodeEvent(encodeEvent(result.value)))).toEqual(result.value);
  } else {
    expect(result.error).toBeInstanceOf(DecodeError);
    expect(result.error.path).toMatch(/^\$/);
    expect(result.error.message.startsWith(result.error.path)).toBe(true);
  }
}

describe('the decoder never throws', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => expectAnswer(decodeEvent(v))),
      RUNS,
    );
  });

  it('on arbitrary JavaScript values', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(anything, (v) => expectAnswer(decodeEvent(v))),
      RUNS,
    );
  });

  it('on arbitrary strings and bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => expectAnswer(decodeEventText(s))),
      RUNS,
    );
    const utf8 = new TextDecoder('utf-8');
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => expectAnswer(decodeEventText(utf8.decode(bytes)))),
      RUNS,
    );
  });

  it('on damaged seed records (cut, spliced, with bytes inserted)', () => {
    const texts = seedExamples().map((e) => e.text);
    const damaged = fc
      .tuple(fc.constantFrom(...texts), fc.nat(), fc.nat({ max: 20 }), fc.string({ unit: 'binary', maxLength: 8 }))
      .map(([t, at, cut, insert]) => {
        const i = at % (t.length + 1);
        return t.slice(0, i) + insert + t.slice(i + cut);
      });
    fc.assert(
      fc.property(damaged, fc.integer({ min: 1, max: 10_000 }), (t, line) => {
        const result = decodeEventText(t, { line });
        expectAnswer(result);
        if (!result.ok && result.error.code === 'invalid_json') {
          expect(result.error.line).toBeGreaterThanOrEqual(line);
          expect(result.error.column).toBeGreaterThanOrEqual(1);
        }
      }),
      RUNS,
    );
  });

  it('on records whose fields hold arbitrary JSON', () => {
    const fields = Object.keys(baseRecord(0));
    const record = fc
      .tuple(
        fc.constantFrom(...EVENT_TYPES.map((t) => t.id)),
        fc.subarray(fields),
        fc.array(fc.jsonValue(), { minLength: fields.length, maxLength: fields.length }),
      )
      .map(([typeId, broken, values]) => {
        const r = baseRecord(typeId);
        for (const [i, key] of broken.entries()) r[key] = values[i];
        return r;
      });
    fc.assert(
      fc.property(record, (r) => {
        expectAnswer(decodeEvent(r));
        expectAnswer(decodeEventText(JSON.stringify(r)));
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------
// An arbitrary of valid events, built from the model's side: typed fields first, and
// for details the emnify-shaped object those fields are read from.

const nullable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });
const str = fc.string({ unit: 'binary', maxLength: 24 });
const int = fc.integer({ min: 0, max: 2_000_000_000 });
const digits = fc.stringMatching(/^\d{1,20}$/);
const code = fc.stringMatching(/^\d{2,3}$/);
/** Finite doubles as JSON carries them: no -0, no integers beyond 2^53 (in text those are exact bigints). */
const jsonDouble = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0) && (!Number.isInteger(d) || Number.isSafeInteger(d)));
/** Integers beyond 2^53 as JSON text gives them back: bigint. */
const bigJsonInt = fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).chain((n) => fc.constantFrom(n, -n));
/** JSON values in the decoder's normal form (what parseJsonText returns). */
const json: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    str,
    fc.integer(),
    jsonDouble,
    bigJsonInt,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(str, tie('v'), { maxKeys: 3 }),
  ),
})).v;
const jsonObject = (exclude: readonly string[]): fc.Arbitrary<JsonObject> =>
  fc.dictionary(
    str.filter((k) => !exclude.includes(k)),
    json,
    { maxKeys: 4 },
  );

const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2099, 11, 31);
/** A time and one of the spellings records use for it. */
const dated = fc.tuple(fc.integer({ min: MIN_MS, max: MAX_MS }), fc.constantFrom('iso', 'space', 'offset', 'noZone')).map(([ms, form]) => {
  const iso = new Date(ms).toISOString();
  const spelled = { iso, space: `${iso.slice(0, 10)} ${iso.slice(11, 23)}`, offset: `${iso.slice(0, 23)}+0000`, noZone: iso.slice(0, 23) };
  return { ms, text: spelled[form] };
});

const orNull = (d: { ms: number; text: string } | null) => ({ ms: d?.ms ?? null, text: d?.text ?? null });

/** A number that emnify may send as a JSON number or as numeric text. */
type Loose = { readonly value: number | null; readonly sent: JsonValue };
const looseNumber: fc.Arbitrary<Loose> = nullable(jsonDouble).chain(
  (n): fc.Arbitrary<Loose> => (n === null ? fc.constant({ value: null, sent: null }) : fc.constantFrom({ value: n, sent: n }, { value: n, sent: String(n) })),
);

const textDetail: fc.Arbitrary<EventDetail> = fc
  .string({ unit: 'binary', maxLength: 40 })
  .filter((s) => {
    try {
      const v: unknown = JSON.parse(s);
      return typeof v !== 'object' || v === null || Array.isArray(v);
    } catch {
      return true;
    }
  })
  .map((text) => ({ kind: 'text', text }));

const OPERATOR_KEYS = ['name', 'country', 'mnc', 'pdp_context'];

const operatorDetail: fc.Arbitrary<EventDetail> = fc
  .record({
    operatorId: nullable(int),
    name: nullable(str),
    country: nullable(fc.record({ id: nullable(int), name: nullable(str), countryCode: nullable(code), mcc: nullable(code), isoCode: nullable(str) })),
    mnc: nullable(code),
    tapcode: nullable(str),
    pdp: nullable(
      fc.record({
        apn: nullable(str),
        ratType: nullable(fc.integer({ min: 0, max: 10 })),
        ueIpAddress: nullable(str),
        mcc: nullable(code),
        mnc: nullable(code),
        imsi: nullable(digits),
        sessionId: nullable(fc.uuid()),
        tunnelCreated: nullable(dated),
      }),
    ),
    volume: nullable(fc.record({ rx: looseNumber, tx: looseNumber, total: looseNumber })),
  })
  .map((d): EventDetail => {
    const pdpRaw: JsonObject | null =
      d.pdp === null
        ? null
        : {
            apn: d.pdp.apn,
            rat_type: d.pdp.ratType,
            ue_ip_address: d.pdp.ueIpAddress,
            mcc: d.pdp.mcc,
            mnc: d.pdp.mnc,
            imsi: d.pdp.imsi,
            session_id: d.pdp.sessionId,
            tunnel_created: orNull(d.pdp.tunnelCreated).text,
            gtp_version: '1',
            rac: null,
          };
    const raw: JsonObject = {
      id: d.operatorId,
      name: d.name,
      country:
        d.country === null
          ? null
          : { id: d.country.id, name: d.country.name, country_code: d.country.countryCode, mcc: d.country.mcc, iso_code: d.country.isoCode },
      mnc: d.mnc === null ? [] : [{ id: 3, mnc: d.mnc }],
      tapcode: d.tapcode === null ? null : [{ id: 2, tapcode: d.tapcode }],
      pdp_context: pdpRaw,
      volume: d.volume === null ? null : { rx: d.volume.rx.sent, tx: d.volume.tx.sent, total: d.volume.total.sent },
    };
    return {
      kind: 'operator',
      operatorId: d.operatorId,
      name: d.name,
      country: d.country,
      mnc: d.mnc,
      tapcode: d.tapcode,
      pdpContext: d.pdp === null || pdpRaw === null ? null : { ...d.pdp, tunnelCreated: orNull(d.pdp.tunnelCreated).ms, raw: pdpRaw },
      volume: d.volume === null ? null : { rx: d.volume.rx.value, tx: d.volume.tx.value, total: d.volume.total.value },
      raw,
    };
  });

const quotaDetail: fc.Arbitrary<EventDetail> = fc
  .record({
    volume: looseNumber,
    threshold: looseNumber,
    expiry: nullable(dated),
    status: nullable(fc.constantFrom('ACTIVE', 'EXHAUSTED', 'EXPIRED')),
    nested: fc.boolean(),
  })
  .map((q): EventDetail => {
    const expiry = orNull(q.expiry);
    const status = q.status === null ? null : { id: 1, description: q.status };
    const raw: JsonObject = q.nested
      ? { quota: { volume: q.volume.sent, threshold_percentage: q.threshold.sent, expiry_date: expiry.text }, status }
      : { volume: q.volume.sent, thresholdPercentage: q.threshold.sent, expiryDate: expiry.text, status, lastVolumeAdded: 1 };
    return { kind: 'quota', volume: q.volume.value, thresholdPercentage: q.threshold.value, expiryDate: expiry.ms, status: q.status, raw };
  });

const tariffDetail: fc.Arbitrary<EventDetail> = fc.oneof(
  fc.record({ id: nullable(int), name: nullable(str), start: nullable(dated), end: nullable(dated) }).map((p): EventDetail => {
    const [start, end] = [orNull(p.start), orNull(p.end)];
    return {
      kind: 'tariffPlan',
      id: p.id,
      name: p.name,
      startDate: start.ms,
      endDate: end.ms,
      raw: { tariff_plan: { id: p.id, name: p.name, start_date: start.text, end_date: end.text, evaluation: false } },
    };
  }),
  fc.record({ id: nullable(int), volume: looseNumber, ratezone: nullable(str), start: nullable(dated), end: nullable(dated) }).map((v): EventDetail => {
    const [start, end] = [orNull(v.start), orNull(v.end)];
    return {
      kind: 'inclusiveVolume',
      id: v.id,
      volume: v.volume.value,
      ratezone: v.ratezone,
      startDate: start.ms,
      endDate: end.ms,
      raw: {
        inclusive_volume: {
          id: v.id,
          volume: v.volume.sent,
          ratezone: v.ratezone === null ? null : { id: 3398, name: v.ratezone },
          start_date: start.text,
          end_date: end.text,
        },
      },
    };
  }),
  jsonObject(['tariff_plan', 'inclusive_volume']).map((raw): EventDetail => ({ kind: 'raw', raw })),
);

const simOrderDetail: fc.Arbitrary<EventDetail> = fc.record({ id: nullable(int), statusId: nullable(fc.integer({ min: 0, max: 5 })) }).map(
  (o): EventDetail => ({
    kind: 'simOrder',
    ...o,
    raw: { id: o.id, status: o.statusId === null ? null : { id: o.statusId }, location: '/api/v1/order/1' },
  }),
);

const userDetail: fc.Arbitrary<EventDetail> = fc
  .record({ id: nullable(int), username: nullable(str), name: nullable(str), organisationId: nullable(int) })
  .map((u): EventDetail => ({ kind: 'user', ...u, raw: { ...u, sourceIp: '192.168.1.1' } }));

function detailFor(entry: EventTypeEntry | undefined): fc.Arbitrary<EventDetail | null> {
  const typed = ((): fc.Arbitrary<EventDetail> => {
    switch (entry?.category) {
      case 'network_registration':
      case 'data_session':
        return fc.oneof(
          operatorDetail,
          jsonObject(OPERATOR_KEYS).map((raw): EventDetail => ({ kind: 'raw', raw })),
        );
      case 'data_quota':
      case 'sms_quota':
        return quotaDetail;
      case 'tariff':
        return tariffDetail;
      case 'sim_order':
        return simOrderDetail;
      case 'authentication':
      case 'user':
        return userDetail;
      default:
        return jsonObject([]).map((raw): EventDetail => ({ kind: 'raw', raw }));
    }
  })();
  return fc.oneof({ arbitrary: typed, weight: 4 }, { arbitrary: textDetail, weight: 1 }, { arbitrary: fc.constant(null), weight: 1 });
}

const REJECTED = 'PDP Context Request rejected, because';
const rejectionText: Record<RejectionReason, string> = {
  ...(Object.fromEntries(REJECTION_REASONS.map((r) => [r.code, `${REJECTED} ${r.phrase} (generated).`])) as Record<Exclude<RejectionReason, 'OTHER'>, string>),
  OTHER: `${REJECTED} the moon is full.`,
};

/** The description and the flag it implies, for the three record-dependent types. */
function describedType(entry: EventTypeEntry | undefined): fc.Arbitrary<{ description: string; extras: object }> {
  const plain = (bad: RegExp) => str.filter((s) => !bad.test(s));
  switch (entry?.key) {
    case 'generic':
      return fc.oneof(
        fc
          .constantFrom(
            'Disconnecting data access for endpoint to apply throttling action.',
            'disconnecting data access for endpoint, because it has been disabled.',
          )
          .map((description) => ({ description, extras: { dataDisconnect: true } })),
        plain(/^\s*disconnecting data access/i).map((description) => ({ description, extras: { dataDisconnect: false } })),
      );
    case 'createPdpContext':
      return fc.oneof(
        fc
          .constantFrom(...(Object.keys(rejectionText) as RejectionReason[]))
          .map((reason) => ({ description: rejectionText[reason], extras: { outcome: { accepted: false, reason } } })),
        plain(/^\s*pdp context request rejected/i).map((description) => ({ description, extras: { outcome: { accepted: true } } })),
      );
    case 'updatePdpContext':
      return fc.oneof(
        fc.constantFrom('PDP Context deleted.', 'Deleted.').map((description) => ({ description, extras: { deletion: true } })),
        plain(/delet/i).map((description) => ({ description, extras: { deletion: false } })),
      );
    default:
      return str.map((description) => ({ description, extras: {} }));
  }
}

const unknownTypeId = fc.integer({ min: -5, max: 500 }).filter((id) => eventTypeById(id) === undefined);
const eventId = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 53n }), fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }));

/** Valid decoded events of one catalog type (or of ids the catalog does not know), every part present or null. */
function eventOf(entry: EventTypeEntry | undefined): fc.Arbitrary<EmnifyEvent> {
  return fc
    .record({
      typeId: entry === undefined ? unknownTypeId : fc.constant(entry.id),
      id: eventId,
      timestamp: fc.integer({ min: MIN_MS, max: MAX_MS }),
      alert: fc.boolean(),
      described: describedType(entry),
      source: nullable(fc.record({ id: fc.integer({ min: 0, max: 2 }), name: nullable(str) })),
      severity: nullable(fc.record({ id: fc.integer({ min: 0, max: 2 }), name: nullable(str) })),
      organisation: nullable(fc.record({ id: int, name: nullable(str) })),
      endpoint: nullable(
        fc.record({
          id: int,
          name: nullable(str),
          imei: nullable(fc.stringMatching(/^[0-9A-F]{14,17}$/)),
          ipAddress: nullable(str),
          tags: json,
        }),
      ),
      sim: nullable(fc.record({ id: nullable(int), iccid: nullable(digits), msisdn: nullable(digits), productionDate: nullable(dated) })),
      imsi: nullable(fc.record({ id: nullable(int), imsi: nullable(digits), importDate: nullable(dated) })),
      user: nullable(fc.record({ id: nullable(int), name: nullable(str), username: nullable(str) })),
      detail: detailFor(entry),
    })
    .map((p): EmnifyEvent => {
      const base: EventBase = {
        id: p.id,
        timestamp: p.timestamp,
        typeId: p.typeId,
        alert: p.alert,
        description: p.described.description,
        source: p.source,
        severity: p.severity,
        organisation: p.organisation,
        endpoint: p.endpoint,
        sim: p.sim === null ? null : { ...p.sim, productionDate: p.sim.productionDate?.ms ?? null },
        imsi: p.imsi === null ? null : { ...p.imsi, importDate: p.imsi.importDate?.ms ?? null },
        user: p.user,
        detail: p.detail,
      };
      // The arbitrary builds the union member for `entry` by hand; TypeScript cannot
      // check a spread against the 60-member union.
      return { ...base, type: entry?.key ?? 'unknown', ...p.described.extras } as EmnifyEvent;
    });
}

/** Every catalog type equally likely, and ids the catalog does not know. */
const validEvent: fc.Arbitrary<EmnifyEvent> = fc.oneof(...EVENT_TYPES.map(eventOf), eventOf(undefined));

describe('generated valid events', () => {
  it('decode back to themselves from their encoding, as a value and as text', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const encoded = encodeEvent(event);
        expect(ok(decodeEvent(encoded))).toEqual(event);
        expect(ok(decodeEventText(stringifyJson(encoded)))).toEqual(event);
      }),
      RUNS,
    );
  });

  it('include ids beyond 2^53, every catalog type and every detail kind', () => {
    const sample = fc.sample(validEvent, { numRuns: 2000, seed: 42 });
    expect(sample.some((e) => e.id > 2n ** 53n)).toBe(true);
    expect(new Set(sample.map((e) => e.type)).size).toBe(EVENT_TYPES.length + 1);
    expect(new Set(sample.map((e) => e.detail?.kind ?? null))).toEqual(
      new Set(['operator', 'quota', 'tariffPlan', 'inclusiveVolume', 'simOrder', 'user', 'raw', 'text', null]),
    );
  });
});

/**
 * `docs/events.md`, generated from the catalogs so the document cannot drift from
 * the code: the event type table, the effect → device event rules the classifier
 * runs, the source/severity/status/RAT/rejection catalogs, and the decoding rules.
 * A test compares the committed file with this output.
 */
import { EVENT_TYPES, type EventTypeEntry } from '../catalog/eventTypes.js';
import { type CodeEntry, EMNIFY_ENDPOINT_STATUSES, EMNIFY_SIM_STATUSES, EVENT_SEVERITIES, EVENT_SOURCES, RAT_TYPES } from '../catalog/eventSources.js';
import { DATA_DISCONNECT_PREFIX, REJECTION_PREFIX, REJECTION_REASONS } from '../catalog/rejectionReasons.js';
import { DEVICE_EVENT_RULES, type DeviceEventRule, RECORD_FLAG_MEANINGS } from '../decode/classifyEvent.js';

/**
 * The content of `docs/events.md`.
 *
 * @example
 * renderEventsMarkdown().startsWith('# emnify event types') // true
 */
export function renderEventsMarkdown(): string {
  return [
    '# emnify event types',
    '',
    '<!-- Generated from packages/core/src/catalog by renderEventsMarkdown() (packages/core/src/docs/eventsMarkdown.ts). Do not edit: run `pnpm run docs`. -->',
    '',
    "Every event type simfleet knows, from emnify's event-type documentation (`source`: `seed`, `seed-mno` for",
    'MNO/reseller types) and from further public material (`reference`). The catalog in',
    '`packages/core/src/catalog/eventTypes.ts` is the single source of truth; this page is generated from it.',
    '',
    '## Event types',
    '',
    table(
      ['id', 'key', 'name', 'category', 'entity', 'effect', 'source', 'note'],
      EVENT_TYPES.map((t: EventTypeEntry) => [String(t.id), code(t.key), t.name, t.category, t.entity, code(t.effect), t.source, t.note ?? '']),
    ),
    '',
    'An id that is not in this table decodes as an event of type `unknown`: counted and reported, no state change.',
    '',
    '## Effect on device state',
    '',
    'How `classifyEvent` turns a decoded event into the `DeviceEvent` the statechart and reducer consume. Three',
    'effects depend on the record; the decoder reads the flag once and stores it on the event',
    '(`dataDisconnect`, `outcome`, `deletion`).',
    '',
    table(
      ['effect', 'device event'],
      Object.entries(DEVICE_EVENT_RULES).map(([effect, rule]) => [code(effect), describeRule(rule)]),
    ),
    '',
    'Unknown types are `RECORDED`. Besides its type, every device event carries what the record observed:',
    'organisation id, SIM id, ICCID, IMSI, IMEI, IP address, the endpoint name, the visited operator (name, MCC, MNC, country) from',
    'an operator detail, the RAT type and APN for `SESSION_CREATED`/`SESSION_UPDATED`, and the rejection reason',
    'for `SESSION_REJECTED`; `null` where the record does not say.',
    '',
    '## Create PDP Context rejections',
    '',
    `A Create PDP Context whose description starts "${REJECTION_PREFIX}" (any case) was rejected; the reason is the`,
    'first of these phrases its description contains (any case), `OTHER` if none:',
    '',
    table(['reason', 'description contains'], [...REJECTION_REASONS.map((r) => [code(r.code), `"${r.phrase}"`]), [code('OTHER'), '(none of the above)']]),
    '',
    `A Generic event whose description starts "${DATA_DISCONNECT_PREFIX}" (any case) ended the data session.`,
    '',
    '## Code catalogs',
    '',
    'Records spell the names differently (`Warn`, `WARN`, `WARNING`): simfleet matches on the id and uses these',
    'names for display only.',
    '',
    codeSection('event_source', EVENT_SOURCES),
    codeSection('event_severity', EVENT_SEVERITIES),
    codeSection('SIM status', EMNIFY_SIM_STATUSES),
    codeSection('Endpoint status', EMNIFY_ENDPOINT_STATUSES),
    codeSection('pdp_context.rat_type (3GPP; other codes are kept as numbers)', RAT_TYPES),
    DECODING_RULES,
  ].join('\n');
}

function codeSection(title: string, entries: readonly CodeEntry[]): string {
  return [
    `### ${title}`,
    '',
    table(
      ['id', 'name'],
      entries.map((e) => [String(e.id), e.name]),
    ),
    '',
  ].join('\n');
}

function describeRule(rule: DeviceEventRule): string {
  if (rule.kind === 'fixed') return code(rule.type);
  return `${code(rule.whenTrue)} if ${RECORD_FLAG_MEANINGS[rule.flag]}, else ${code(rule.whenFalse)}`;
}

function code(text: string): string {
  return `\`${text}\``;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

const DECODING_RULES = `## Decoding rules

\`decodeEvent(value)\` decodes a JSON value, \`decodeEventText(text, { line })\` one JSON text (an NDJSON line);
both return \`{ ok: true, value }\` or \`{ ok: false, error: DecodeError }\` and never throw.

**Validated** (what the engine relies on):

- the record is an object with an \`id\`, a \`timestamp\` and an \`event_type\` object with an integer \`id\`;
- the event \`id\` is a non-negative integer below 2^64, kept exact as a \`bigint\`: a JSON number, a digit
  string or a bigint. In text, integers beyond 2^53 keep their digits (\`JSON.parse\` first; a text with a run of
  16+ digits is parsed again with lossless-json). A JavaScript \`number\` beyond 2^53 is refused
  (\`unsafe_integer\`): it was rounded before it reached the decoder;
- \`endpoint\`, \`organisation\`, \`event_source\`, \`event_severity\`: when present as objects, an integer \`id\`;
- the top-level \`timestamp\`: an invalid one is an \`invalid_timestamp\` error, never \`NaN\`.

**Timestamps** become UTC epoch milliseconds via luxon, in every form records use:
\`2021-10-27T11:59:29.000Z\`, \`2019-01-21T09:36:17Z\`, \`2017-10-26T07:28:00.000+0000\`, \`2021-12-20 12:27:56\` and
\`2021-08-09T12:00:27\` (no zone means UTC). Nested dates (\`production_date\`, \`import_date\`, \`tunnel_created\`,
tariff and quota dates) that do not parse become \`null\`; they do not fail the event.

**Tolerated** (what the engine does not rely on):

- unknown top-level keys, any key order, \`description\` missing or \`null\` (read as \`""\`);
- \`null\` or missing \`user\`, \`sim\`, \`imsi\`, \`detail\`, \`endpoint\`, \`organisation\`; \`endpoint.tags\` of any JSON
  shape (kept as sent);
- numbers as numeric strings (\`"gtp_version": "1"\`, \`"volume": "0.015085"\`, negative volumes); \`alert\` as
  \`true\`/\`false\` or \`1\`/\`0\`; \`event_source\`/\`event_severity\` with \`name\` instead of \`description\`;
- ICCID, IMSI, IMEI and MSISDN as strings or bare numbers, kept as text and never format-checked (hex IMEIs,
  14- and 20-digit IMSIs occur);
- \`endpoint.name\` as a string (kept as sent, \`""\` included), \`null\` or missing (the endpoint keeps the name
  it had); a name of another type is a \`wrong_type\` rejection at \`$.endpoint.name\`;
- a \`detail\` that is a JSON-encoded string: parsed when it holds a JSON object, otherwise kept as text
  (\`{ kind: 'text' }\`) and the event stays valid.

**Details** are typed by the catalog category of the event type and always keep the whole object as \`raw\`:
\`operator\` (network and data-session types whose detail has \`name\`, \`country\`, \`mnc\` or \`pdp_context\`;
\`session_id\` is read from \`pdp_context\` or from the detail itself), \`quota\` (data and SMS quota types; figures
nested in \`quota\` or at the top, snake_case or camelCase), \`tariffPlan\` / \`inclusiveVolume\` (tariff types, by the
key present), \`simOrder\`, \`user\` (authentication and user types), \`raw\` otherwise. Fields inside a detail that
do not fit become \`null\`.

**Strict JSON.** A raw control character inside a string is invalid JSON (RFC 8259). The seed's Update location
example has a raw line break inside its description: as text it is an \`invalid_json\` error pointing at the
break (the line it ends, the column just past that line's last character); the same record with the break
escaped (\`\\n\`) decodes.

**Errors** carry a stable \`code\` (\`invalid_json\`, \`not_an_object\`, \`missing_field\`, \`wrong_type\`,
\`invalid_timestamp\`, \`unsafe_integer\`, \`invalid_value\`), the JSON \`path\` (\`$.event_type.id\`), what was
\`expected\` and what was \`found\` (type and a short preview), and for text the 1-based \`line\` and \`column\`
(offset by the record's line in its file). Example message:
\`$.event_type.id: expected an integer, found string "x"\`.

\`encodeEvent(event)\` writes the canonical emnify shape back (snake_case keys, ISO-8601 UTC timestamps with
milliseconds, \`detail\` as received); \`decodeEvent(encodeEvent(e))\` deep-equals \`e\`.
`;

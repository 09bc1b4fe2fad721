/**
 * Organisation facts between partitions. An organisation's state is that of the newest event
 * that moved it, and those include its members' events (an accepted session of any member
 * lifts the organisation's block for all). A member's events live in its endpoint's partition
 * only, and only that partition knows which organisation such an event reached (the member's
 * organisation at that event, in (time, id) order). So after each batch a partition's worker
 * publishes, to every other partition's subject, one message with the facts of the
 * organisations the batch's own records moved (or made known): the organisation's newest
 * (time, id) and the state it led to. Each partition applies the facts it receives to the
 * organisation only (core's `applyOrganisationFact`): its members' rows follow, and every
 * partition ends with the organisation of a single process that saw every record.
 *
 * Facts are idempotent and order-free (the newest wins), so at-least-once is enough: they are
 * published before the batch is stored, and a batch applied again publishes them again.
 * Facts received never cause facts to be sent (only a batch's own records do), so nothing
 * echoes between partitions.
 */
import { applyOrganisationFact, type FleetStore, type OrganisationFact, readOrganisationFact, type Transition } from '@simfleet/core';

/** Where a fleet's organisations stood before a batch: compared after it by {@link factsSince}. */
export interface OrganisationMark {
  readonly count: number;
  readonly at: Float64Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
}

/**
 * The organisations' newest (time, id) now.
 *
 * @example
 * const mark = markOrganisations(live.fleet); live.ingest(events); factsSince(live.fleet, mark);
 */
export function markOrganisations(fleet: FleetStore): OrganisationMark {
  const count = fleet.organisationCount;
  return {
    count,
    at: fleet.organisationLastAt.slice(0, count),
    hi: fleet.organisationLastHi.slice(0, count),
    lo: fleet.organisationLastLo.slice(0, count),
  };
}

/**
 * Facts of the organisations that became known, or took a newer event, since `mark`.
 *
 * @example
 * factsSince(live.fleet, mark) // [{ organisationId: 18464, newest: { state: 'ACTIVE', at: …, eventId: … } }]
 */
export function factsSince(fleet: FleetStore, mark: OrganisationMark): OrganisationFact[] {
  const facts: OrganisationFact[] = [];
  for (let o = 0; o < fleet.organisationCount; o++) {
    const moved =
      o >= mark.count ||
      !Object.is(fleet.organisationLastAt[o], mark.at[o]) ||
      fleet.organisationLastHi[o] !== mark.hi[o] ||
      fleet.organisationLastLo[o] !== mark.lo[o];
    if (moved) facts.push(readOrganisationFact(fleet, o));
  }
  return facts;
}

/**
 * The body of a facts message: `{"organisations":[{"id":18464,"state":"ACTIVE","at":1635292805108,"eventId":"137057052900038"}]}`
 * (`state`, `at` and `eventId` absent for an organisation only made known).
 *
 * @example
 * js.publish(partitionSubject(q), encodeOrganisationFacts(facts), { headers });
 */
export function encodeOrganisationFacts(facts: readonly OrganisationFact[]): string {
  return JSON.stringify({
    organisations: facts.map((f) =>
      f.newest === undefined
        ? { id: f.organisationId }
        : { id: f.organisationId, state: f.newest.state, at: f.newest.at, eventId: f.newest.eventId.toString() },
    ),
  });
}

/**
 * The facts of a message body, or a reason why it is not one.
 *
 * @example
 * const decoded = decodeOrganisationFacts(text); if (decoded.ok) for (const f of decoded.facts) …
 */
export function decodeOrganisationFacts(text: string): { ok: true; facts: OrganisationFact[] } | { ok: false; reason: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const list = (body as { organisations?: unknown } | null)?.organisations;
  if (!Array.isArray(list)) return { ok: false, reason: 'no "organisations" array' };
  const facts: OrganisationFact[] = [];
  for (const [i, item] of list.entries()) {
    const f = item as { id?: unknown; state?: unknown; at?: unknown; eventId?: unknown } | null;
    if (typeof f?.id !== 'number' || !Number.isSafeInteger(f.id)) return { ok: false, reason: `organisations[${i}].id is not an integer` };
    if (f.state === undefined && f.at === undefined && f.eventId === undefined) {
      facts.push({ organisationId: f.id });
      continue;
    }
    if (typeof f.state !== 'string' || typeof f.at !== 'number' || !Number.isFinite(f.at) || typeof f.eventId !== 'string' || !/^\d{1,20}$/.test(f.eventId)) {
      return { ok: false, reason: `organisations[${i}] needs a state, a time (ms) and an event id (digits)` };
    }
    facts.push({ organisationId: f.id, newest: { state: f.state, at: f.at, eventId: BigInt(f.eventId) } });
  }
  return { ok: true, facts };
}

/**
 * Applies received facts to a partition's fleet (organisations only); members whose effective
 * block or status changed are reported.
 *
 * @example
 * applyFacts(live.fleet, facts, (t) => changed.add(t.endpointId));
 */
export function applyFacts(fleet: FleetStore, facts: readonly OrganisationFact[], onTransition: (transition: Transition) => void): void {
  for (const fact of facts) applyOrganisationFact(fleet, fact, onTransition);
}

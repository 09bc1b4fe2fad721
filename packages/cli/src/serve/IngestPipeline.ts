import type { EmnifyEvent } from '@simfleet/core';
import { LIVE_ACCEPTED, type LiveBatchResult, LiveFleet, type LiveTransition } from '@simfleet/engine';
import { type AcceptedEvent, FleetActivity, type FleetTransition, type InactivityRule, spanMillis } from '@simfleet/stream';
import { Subject } from 'rxjs';
import type { BodyRows } from './BodyRows.js';

export interface IngestPipelineOptions {
  /** Event time a late event may be behind its device's newest and still be placed (ms). */
  readonly reorderHorizonMs: number;
  /** How far (ms) a record may be dated after this machine's clock. */
  readonly maxClockSkewMs: number;
  readonly inactivity?: InactivityRule;
  /** Start from this live fleet (a loaded checkpoint) instead of an empty one. */
  readonly live?: LiveFleet;
  /** The receiving clock (tests; default `Date.now`). */
  readonly now?: () => number;
}

/** What the pipeline has counted since the server started. */
export interface PipelineCounters {
  /** Records decoded from `POST /events` bodies and handed to the engine. */
  received: number;
  /** Records the decoder refused (400 reasons). */
  rejected: number;
  /** New events taken into the state (in their place by (time, id), also when they arrived late). */
  applied: number;
  /** Copies of events already taken (same event id). */
  duplicates: number;
  /** Older than their device's newest event by more than the reorder horizon: journaled, not applied. */
  tooLate: number;
  /** Dated more than the allowed clock skew after this machine's clock: refused. */
  futureTimestamp: number;
  /** Other records the engine could not hold (an id beyond 2^64…): refused. */
  unapplied: number;
  /** Devices re-folded because a late event rewrote their history. */
  refolded: number;
}

/**
 * The server's live ingest: each request's decoded records go, synchronously, through the
 * engine's `LiveFleet` (clock guard, dedupe by id, placement in (time, id) order, re-fold of
 * devices a late event reaches), then the inactivity rule over what was accepted. When
 * `ingest` returns, the fleet equals `simfleet replay` of everything accepted so far.
 */
export class IngestPipeline {
  readonly live: LiveFleet;
  /** Every state change: steps, corrections (`correction: true`), and ACTIVE/STALE changes. */
  readonly transitions$ = new Subject<FleetTransition | LiveTransition>();
  readonly counters: PipelineCounters = { received: 0, rejected: 0, applied: 0, duplicates: 0, tooLate: 0, futureTimestamp: 0, unapplied: 0, refolded: 0 };
  readonly #activity: FleetActivity | undefined;
  #closed = false;

  constructor(options: IngestPipelineOptions) {
    this.live =
      options.live ??
      new LiveFleet({
        reorderHorizonMs: options.reorderHorizonMs,
        maxClockSkewMs: options.maxClockSkewMs,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
    this.#activity = options.inactivity === undefined ? undefined : new FleetActivity(spanMillis(options.inactivity.after, 'inactivity.after'));
  }

  /** The live state. */
  get store(): LiveFleet['fleet'] {
    return this.live.fleet;
  }

  /** The newest accepted event time, `null` before any. */
  get eventTime(): number | null {
    return this.live.asOf;
  }

  /** Devices the inactivity rule holds stale. */
  get staleCount(): number {
    return this.#activity?.staleCount ?? 0;
  }

  /** Whether the inactivity rule holds the device stale. */
  isStale(endpointId: number): boolean {
    return this.#activity?.isStale(endpointId) === true;
  }

  /**
   * Ingests a request's decoded records; the result says, per record, what became of it.
   * `onChange` is told the engine's state changes (not the inactivity rule's), in order.
   */
  ingest(events: readonly EmnifyEvent[], onChange?: (t: LiveTransition) => void): LiveBatchResult {
    return this.#run(
      events.length,
      (emit) => this.live.ingest(events, emit),
      onChange,
      (i) => {
        const e = events[i] as EmnifyEvent;
        return { at: e.timestamp, eventId: e.id, endpointId: e.endpoint?.id ?? Number.NaN };
      },
    );
  }

  /**
   * `ingest` for a body decoded into the engine's rows (`decodeBodyRows`): batch record `i`
   * is `body.bodyIndex(i)` of the body.
   *
   * @example
   * const result = pipeline.ingestBody(await decodeBodyRows(bytes, type, buffers));
   */
  ingestBody(body: BodyRows, onChange?: (t: LiveTransition) => void): LiveBatchResult {
    const rows = body.rows;
    return this.#run(
      body.records,
      (emit) => this.live.ingestColumns(rows, body, emit),
      onChange,
      (i) => ({
        at: rows.at[i] as number,
        eventId: (BigInt(rows.idHi[i] as number) << 32n) | BigInt(rows.idLo[i] as number),
        endpointId: rows.endpointId[i] as number,
      }),
    );
  }

  #run(
    records: number,
    ingest: (emit: (t: LiveTransition) => void) => LiveBatchResult,
    onChange: ((t: LiveTransition) => void) | undefined,
    acceptedAt: (i: number) => AcceptedEvent,
  ): LiveBatchResult {
    if (this.#closed) throw new Error('the pipeline is closed');
    const changes: LiveTransition[] = [];
    const result = ingest((t) => {
      changes.push(t);
      onChange?.(t);
    });
    const c = this.counters;
    c.received += records;
    c.applied += result.accepted;
    c.duplicates += result.duplicates;
    c.tooLate += result.tooLate.length;
    c.refolded += result.refolded;
    for (const r of result.rejected) {
      if (r.code === 'future_timestamp') c.futureTimestamp++;
      else c.unapplied++;
    }
    let out: readonly (FleetTransition | LiveTransition)[] = changes;
    const activity = this.#activity;
    if (activity !== undefined) {
      const accepted: AcceptedEvent[] = [];
      for (let i = 0; i < records; i++) if (result.outcomes[i] === LIVE_ACCEPTED) accepted.push(acceptedAt(i));
      accepted.sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
      out = activity.observe(accepted, changes);
    }
    for (const t of out) this.transitions$.next(t);
    return result;
  }

  /** Whether `close()` was called: `ingest` would refuse. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Ends the transitions stream. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.transitions$.complete();
  }
}

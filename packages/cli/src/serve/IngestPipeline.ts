import { type EmnifyEvent, FleetStore } from '@simfleet/core';
import {
  compareEventTime,
  type DecodedEvent,
  dedupeEvents,
  type EventTimeSpan,
  type FleetTransition,
  type FleetView,
  fleetState,
  type InactivityRule,
  orderByEventTime,
  toDecodedEvent,
} from '@simfleet/stream';
import { Subject, type Subscription } from 'rxjs';

export interface IngestPipelineOptions {
  readonly dedupeWindow: number;
  readonly maxLateness: EventTimeSpan;
  readonly idleTimeout: number;
  readonly maxBatch: number;
  readonly maxDelay: number;
  readonly inactivity?: InactivityRule;
  /** Start from this state (a loaded checkpoint) instead of an empty fleet… */
  readonly store?: FleetStore;
  /** …whose newest event time this is. */
  readonly asOf?: number | null;
}

/** What the pipeline has counted since the server started. */
export interface PipelineCounters {
  /** Records accepted by `POST /events` and pushed into the pipeline. */
  received: number;
  /** Records refused by the decoder (400 reasons). */
  rejected: number;
  /** Retransmissions dropped by id. */
  duplicates: number;
  /** Arrived after the ordering watermark had passed them: not applied. */
  late: number;
  /** Applied by the reducer. */
  applied: number;
  /** Ignored by the reducer as a device's duplicate / older event. */
  reducerDuplicates: number;
  reducerLate: number;
  /** Decoded but not representable by the reducer (logged; the decoder's bounds make it rare). */
  unapplied: number;
}

/**
 * The server's live pipeline: decoded events → dedupeEvents → orderByEventTime (with an
 * idle release, so a quiet webhook's last events are applied) → fleetState on one
 * `FleetStore` that the read routes query. Everything from `ingest` to the reducer runs
 * synchronously, except the waits for the watermark and for a batch to fill.
 */
export class IngestPipeline {
  readonly store: FleetStore;
  /** Every state change, as the reducer and the inactivity rule report them. */
  readonly transitions$ = new Subject<FleetTransition>();
  readonly counters: PipelineCounters = { received: 0, rejected: 0, duplicates: 0, late: 0, applied: 0, reducerDuplicates: 0, reducerLate: 0, unapplied: 0 };
  #lastView: FleetView | undefined;
  #closed = false;
  readonly #asOf: number | null;
  readonly #input = new Subject<DecodedEvent>();
  readonly #subscription: Subscription;

  constructor(options: IngestPipelineOptions, log: (message: string) => void) {
    this.store = options.store ?? new FleetStore();
    this.#asOf = options.asOf ?? null;
    const counters = this.counters;
    this.#subscription = this.#input
      .pipe(
        dedupeEvents({
          window: options.dedupeWindow,
          duplicates: () => {
            counters.duplicates += 1;
          },
        }),
        orderByEventTime({
          maxLateness: options.maxLateness,
          idleTimeout: options.idleTimeout,
          late: () => {
            counters.late += 1;
          },
        }),
        fleetState({
          store: this.store,
          maxBatch: options.maxBatch,
          maxDelay: options.maxDelay,
          unapplied: (u) => {
            counters.unapplied += 1;
            log(`simfleet serve: event ${u.event.eventId} not applied: ${u.error.message}`);
          },
          ...(options.inactivity === undefined ? {} : { inactivity: options.inactivity }),
        }),
      )
      .subscribe({
        next: (view) => {
          this.#lastView = view;
          counters.applied += view.batch.applied;
          counters.reducerDuplicates += view.batch.duplicates;
          counters.reducerLate += view.batch.late;
          for (const t of view.transitions) this.transitions$.next(t);
        },
        error: (err: unknown) => {
          // Not expected (every side channel is handled); if it happens, refuse further
          // records (503) rather than acknowledge what would never be applied.
          this.#closed = true;
          log(`simfleet serve: pipeline failed: ${err instanceof Error ? err.message : String(err)}`);
        },
      });
  }

  /** The newest event time applied, `null` before any. */
  get eventTime(): number | null {
    return this.#lastView?.eventTime ?? this.#asOf;
  }

  /** Devices the inactivity rule holds stale. */
  get staleCount(): number {
    return this.#lastView?.staleCount ?? 0;
  }

  /** Whether the inactivity rule holds the device stale. */
  isStale(endpointId: number): boolean {
    return this.#lastView?.endpoint(endpointId)?.stale === true;
  }

  /**
   * Pushes a request's events, in event order (a webhook body is usually one device's
   * burst; sorting it first spares the watermark needless lateness). When this returns,
   * every event has entered the pipeline: it is counted, deduplicated, and buffered for
   * ordering or already applied.
   */
  ingest(events: readonly EmnifyEvent[]): void {
    if (this.#closed) throw new Error('the pipeline is closed');
    const decoded = events.map(toDecodedEvent).sort(compareEventTime);
    this.counters.received += decoded.length;
    for (const event of decoded) this.#input.next(event);
  }

  /** Whether `close()` was called: `ingest` would refuse. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Flushes the buffers into the store and ends the transitions stream. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.complete();
    this.#subscription.unsubscribe();
    this.transitions$.complete();
  }
}

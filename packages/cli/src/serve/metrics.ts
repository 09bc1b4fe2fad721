/**
 * `GET /metrics`: the service's counters in Prometheus' text exposition format, with
 * prom-client. Most values are read from the pipeline, the SSE hub and the store when
 * scraped (nothing on the ingest path changes for them); rejections by reason, ingest
 * latency and journal records are recorded as they happen.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the metrics read at scrape time. */
export interface MetricsSources {
  /** Records received and applied, and those not applied, as the pipeline counts them. */
  readonly counters: () => {
    readonly received: number;
    readonly applied: number;
    readonly duplicates: number;
    readonly tooLate: number;
  };
  readonly sseClients: () => number;
  /** Endpoints by effective status. */
  readonly endpointsByStatus: () => Readonly<Record<string, number>>;
}

/** A counter that follows a running total read at scrape time (it only ever grows). */
function followingCounter(registry: Registry, name: string, help: string, labelNames: readonly string[], read: () => Record<string, number>): void {
  const seen = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [label, total] of Object.entries(read())) {
        const delta = total - (seen.get(label) ?? 0);
        if (delta <= 0) continue;
        seen.set(label, total);
        if (labelNames.length === 0) this.inc(delta);
        else this.inc({ [labelNames[0]!]: label }, delta);
      }
    },
  });
}

/** The metrics of one running server. */
export class ServeMetrics {
  readonly registry = new Registry();
  readonly #rejected: Counter<'reason'>;
  readonly #latency: Histogram;
  readonly #journal: Counter;

  constructor(sources: MetricsSources) {
    const r = this.registry;
    const c = sources.counters;
    followingCounter(r, 'simfleet_events_received_total', 'Event records received in POST /events bodies that decoded.', [], () => ({ '': c().received }));
    followingCounter(r, 'simfleet_events_applied_total', 'Events applied to the fleet state.', [], () => ({ '': c().applied }));
    followingCounter(
      r,
      'simfleet_events_not_applied_total',
      'Decoded events taken but not applied, by reason (duplicates; too late: journaled).',
      ['reason'],
      () => {
        const n = c();
        return { duplicate: n.duplicates, too_late: n.tooLate };
      },
    );
    this.#rejected = new Counter({
      name: 'simfleet_events_rejected_total',
      help: "Records of POST /events bodies refused, by reason code (the decoder's, future_timestamp, …).",
      labelNames: ['reason'],
      registers: [r],
    });
    this.#latency = new Histogram({
      name: 'simfleet_ingest_latency_seconds',
      help: 'Time to read, decode and hand one POST /events body to the pipeline.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });
    this.#journal = new Counter({
      name: 'simfleet_journal_records_total',
      help: 'Records written to the checkpoint journal (serve --checkpoint) by this process.',
      registers: [r],
    });
    new Gauge({
      name: 'simfleet_sse_clients',
      help: 'Clients connected to GET /transitions.',
      registers: [r],
      collect() {
        this.set(sources.sseClients());
      },
    });
    new Gauge({
      name: 'simfleet_endpoints',
      help: 'Endpoints by effective status.',
      labelNames: ['status'],
      registers: [r],
      collect() {
        for (const [status, n] of Object.entries(sources.endpointsByStatus())) this.set({ status }, n);
      },
    });
  }

  /** Refused records of a POST body, by reason. */
  rejected(reason: string, records = 1): void {
    this.#rejected.inc({ reason }, records);
  }

  /** One POST /events body, from its first byte to its hand-over, in seconds. */
  ingestLatency(seconds: number): void {
    this.#latency.observe(seconds);
  }

  /** Records handed to the checkpoint journal. */
  journaled(records: number): void {
    this.#journal.inc(records);
  }

  /** The exposition text, and its Content-Type. */
  async exposition(): Promise<{ readonly contentType: string; readonly text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

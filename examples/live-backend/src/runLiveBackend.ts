import { randomBytes } from 'node:crypto';
import { startServer } from '@simfleet/cli';
import { type PostReply, replayLog } from './replayLog.js';
import { type TransitionEvent, watchTransitions } from './watchTransitions.js';

export interface LiveBackendOptions {
  /** The log to replay, in order. */
  readonly lines: AsyncIterable<string> | Iterable<string>;
  /** Event-time speed-up (`Infinity`: as fast as the server acknowledges). */
  readonly speed: number;
  /** Only these transition regions are printed (all when empty). */
  readonly regions?: readonly string[];
  /** Mark connected devices stale after this many minutes of event-time silence. */
  readonly staleAfterMinutes?: number;
  /** Port for the server (default 0: any free port). */
  readonly port?: number;
  /** Where lines of output go. */
  readonly print: (line: string) => void;
}

/** What the run saw. */
export interface LiveBackendResult {
  readonly posted: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly transitions: number;
  /** `GET /fleet/summary` after the last event was applied. */
  readonly summary: { readonly totals: { readonly endpoints: number }; readonly byStatus: Readonly<Record<string, number>> };
}

/** One transition as a line: time, device, region, change. */
export function formatTransition(t: TransitionEvent): string {
  return `${t.at}  endpoint ${String(t.endpointId).padStart(9)}  ${t.region.padEnd(12)} ${t.from} → ${t.to}`;
}

/**
 * The whole example: starts `simfleet serve` in-process on loopback with a fresh token,
 * subscribes to its transitions, replays the log into `POST /events` at `speed`, waits
 * until the server has applied what it accepted, prints the fleet summary and stops.
 *
 * @example
 * await runLiveBackend({ lines: logFileLines('examples/data'), speed: 3600, print: console.log });
 */
export async function runLiveBackend(options: LiveBackendOptions): Promise<LiveBackendResult> {
  const token = randomBytes(16).toString('hex');
  const server = await startServer({
    port: options.port ?? 0,
    host: '127.0.0.1',
    token,
    ...(options.staleAfterMinutes === undefined ? {} : { inactivity: { after: { minutes: options.staleAfterMinutes } } }),
  });
  options.print(`simfleet serve listening on ${server.url}`);
  let transitions = 0;
  const query = options.regions !== undefined && options.regions.length > 0 ? `?region=${options.regions.join(',')}` : '';
  const watch = await watchTransitions(
    server.url,
    token,
    (t) => {
      transitions += 1;
      options.print(formatTransition(t));
    },
    query,
  );
  try {
    let accepted = 0;
    let rejected = 0;
    const onReply = (reply: PostReply): void => {
      accepted += reply.accepted;
      rejected += reply.rejected.length;
      for (const r of reply.rejected) options.print(`rejected record ${r.index ?? '-'}: ${r.code} ${r.message}`);
    };
    const { posted } = await replayLog({ url: server.url, token, lines: options.lines, speed: options.speed, onReply });
    const getSummary = async (): Promise<LiveBackendResult['summary'] & { pipeline: { applied: number; duplicates: number; late: number } }> =>
      (await (await fetch(`${server.url}/fleet/summary`, { headers: { authorization: `Bearer ${token}` } })).json()) as LiveBackendResult['summary'] & {
        pipeline: { applied: number; duplicates: number; late: number };
      };
    // Accepted events reach the store after the ordering watermark and a batch: wait for them.
    let summary = await getSummary();
    for (let tries = 0; summary.pipeline.applied + summary.pipeline.duplicates + summary.pipeline.late < accepted && tries < 500; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      summary = await getSummary();
    }
    // Closing the server ends the event stream after its last frame: read to the end so
    // no transition still in flight is lost.
    await server.close();
    await watch.done;
    options.print(`posted ${posted} records: ${accepted} accepted, ${rejected} rejected; ${transitions} transitions shown`);
    options.print(`fleet: ${summary.totals.endpoints} endpoints, by status ${JSON.stringify(summary.byStatus)}`);
    return { posted, accepted, rejected, transitions, summary };
  } finally {
    watch.close();
    await server.close();
  }
}

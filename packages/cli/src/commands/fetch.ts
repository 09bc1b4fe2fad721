import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatTimestamp, parseTimestamp } from '@simfleet/core';
import { withUsageErrors } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../cliIo.js';
import { DEFAULT_RETRY } from '../fetch/backoff.js';
import { SYSTEM_CLOCK } from '../fetch/clock.js';
import { EventApiClient } from '../fetch/EventApiClient.js';
import type { EventSink } from '../fetch/EventSink.js';
import { FetchError } from '../fetch/FetchError.js';
import { countEvents, fetchEvents } from '../fetch/fetchEvents.js';
import { createFetchProgress } from '../fetch/fetchProgress.js';
import { type FetchProgressState, type FetchQuery, loadFetchState, sameQuery, saveFetchState } from '../fetch/FetchState.js';
import { NdjsonFileSink } from '../fetch/NdjsonFileSink.js';
import { EMNIFY_RATE_LIMITS, RateLimiter } from '../fetch/RateLimiter.js';
import { ServeSink } from '../fetch/ServeSink.js';

/** emnify's public REST API base URL. */
export const EMNIFY_API = 'https://cdn.emnify.net';

const HELP = `simfleet fetch — pull events from emnify's REST Event API

Usage:
  simfleet fetch [--api URL] [--app-token TOKEN] [--from ISO] [--until ISO] [--type IDS]
                 [--endpoint ID] (--out FILE | --to URL --token T) [--state FILE]
                 [--follow [--interval SECONDS]] [--rejects FILE] [--strict] [--quiet]

Options:
  --api URL         Event API base URL (default ${EMNIFY_API})
  --app-token TOKEN application token (default: $EMNIFY_APPLICATION_TOKEN)
  --from ISO        events at or after this instant
  --until ISO       events at or before this instant
  --type IDS        only these event type ids (comma-separated, e.g. 3,4)
  --endpoint ID     only this endpoint's events (/api/v1/endpoint/ID/event)
  --out FILE        write the events as NDJSON (each line the event's JSON as the API sent it)
  --to URL          post the events into a running 'simfleet serve' (POST URL/events)
  --token T         serve's bearer token (default: $SIMFLEET_TOKEN)
  --state FILE      remember how far the fetch got; the next run fetches only what is new
                    (and --out FILE is continued, not replaced)
  --follow          keep polling for new events every --interval seconds (default 60)
                    until SIGINT/SIGTERM
  --rejects FILE    records without a readable id or timestamp as NDJSON {"request","index","reason","raw"}
  --strict          exit 3 when any record was rejected
  --quiet           no progress line

Every page is retried on network errors, 5xx, truncated or malformed bodies, and
honours 429 Retry-After; requests stay under emnify's documented rate limits.
Exit status: 0 complete, 1 unusable arguments or a permanent error (what was written
stays valid NDJSON), 3 rejects under --strict.`;

interface FetchFlags {
  readonly query: FetchQuery;
  readonly applicationToken: string;
  readonly out: string | undefined;
  readonly to: { url: string; token: string } | undefined;
  readonly state: string | undefined;
  readonly followMs: number | undefined;
  readonly rejects: string | undefined;
  readonly strict: boolean;
  readonly quiet: boolean;
}

/**
 * `simfleet fetch`: the Event API's events into an NDJSON file or a running serve.
 *
 * @example
 * process.exitCode = await runFetch(['--app-token', token, '--out', 'events.ndjson'], process);
 */
export async function runFetch(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFetchFlags(argv, io);
  if (flags === 'help') {
    io.stdout.write(`${HELP}\n`);
    return EXIT.OK;
  }
  let state: FetchProgressState | null = null;
  if (flags.state !== undefined) {
    try {
      state = loadFetchState(flags.state);
    } catch (error) {
      throw new UsageError(`--state ${flags.state}: ${(error as Error).message}`);
    }
    if (state !== null && !sameQuery(state.query, flags.query)) {
      throw new UsageError(`--state ${flags.state} was written for another query (${describeQuery(state.query)}); use another state file or the same flags`);
    }
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('stopped by a signal'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = createFetchProgress(io.stderr, { quiet: flags.quiet });
  const say = (line: string): void => {
    progress.clear();
    io.stderr.write(`simfleet fetch: ${line}\n`);
  };
  let sink: EventSink;
  if (flags.to !== undefined) {
    sink = new ServeSink({
      url: flags.to.url,
      token: flags.to.token,
      retry: DEFAULT_RETRY,
      clock: SYSTEM_CLOCK,
      signal: controller.signal,
      onRetry: say,
      onReject: say,
    });
  } else {
    const out = flags.out as string;
    try {
      const file = NdjsonFileSink.open(out, { append: state !== null, durable: flags.state !== undefined });
      if (file.repairedBytes > 0) say(`--out ${out}: removed an incomplete last line (${file.repairedBytes} bytes) left by an earlier run`);
      sink = file;
    } catch (error) {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      throw new UsageError(`--out ${out}: cannot open it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  if (flags.rejects !== undefined) writeFileSync(flags.rejects, '');
  const client = new EventApiClient({
    api: flags.query.api,
    applicationToken: flags.applicationToken,
    limiter: new RateLimiter(EMNIFY_RATE_LIMITS, SYSTEM_CLOCK),
    retry: DEFAULT_RETRY,
    clock: SYSTEM_CLOCK,
    signal: controller.signal,
    onRetry: say,
  });
  let reportedRejects = 0;
  let lastState: FetchProgressState | null = state;
  try {
    const outcome = await fetchEvents({
      client,
      query: flags.query,
      sink,
      state,
      saveState: (next) => {
        if (flags.state !== undefined) {
          try {
            saveFetchState(flags.state, next);
          } catch (error) {
            throw new FetchError('write_failed', flags.state, (error as Error).message);
          }
        }
        lastState = next;
      },
      ...(flags.followMs === undefined ? {} : { follow: { intervalMs: flags.followMs } }),
      // serve places late events only within its reorder horizon: post each sweep oldest first.
      ...(flags.to === undefined ? {} : { deliverBy: 'sweep' as const }),
      clock: SYSTEM_CLOCK,
      signal: controller.signal,
      onPage: (counts, page) => progress.update(counts, page),
      onReject: (reject) => {
        reportedRejects += 1;
        if (flags.rejects !== undefined) appendFileSync(flags.rejects, `${JSON.stringify(reject)}\n`);
        if (reportedRejects <= 10) say(`rejected element ${reject.index + 1} of ${reject.request}: ${reject.reason}`);
        else if (reportedRejects === 11) say('further rejects are counted, not shown');
      },
    });
    progress.clear();
    const { counts } = outcome;
    const through = outcome.state.through === null ? 'no events yet' : `complete through ${formatTimestamp(outcome.state.through.timestamp)}`;
    io.stderr.write(
      `simfleet fetch: ${counts.received} records in ${counts.pages} pages (${counts.sweeps} sweeps) = ${counts.delivered} new + ${counts.duplicates} duplicates + ${counts.rejected} rejected; ${sink.describe()}; ${through}\n`,
    );
    if (outcome.interrupted && flags.followMs === undefined) {
      io.stderr.write(
        `simfleet fetch: interrupted before the fetch was complete${flags.state === undefined ? '' : `; run again with --state ${flags.state} to continue`}\n`,
      );
      return EXIT.USAGE;
    }
    if (!outcome.caughtUp && !outcome.interrupted) {
      io.stderr.write('simfleet fetch: events kept arriving through every catch-up sweep; the newest ones follow in the next run\n');
    }
    if (!outcome.interrupted && outcome.caughtUp) {
      // The check is a courtesy: the events are written, so its failure is reported, not fatal.
      let total: number | null = null;
      try {
        total = await countEvents(client, flags.query);
      } catch (error) {
        if (!(error instanceof FetchError)) throw error;
        io.stderr.write(`simfleet fetch: could not ask the server's count to check against: ${error.message}\n`);
      }
      const have = outcome.state.delivered;
      if (total !== null) {
        const scope = flags.state === undefined ? 'this run delivered' : 'delivered over every run with this state';
        io.stderr.write(`simfleet fetch: the server counts ${total} events for the query; ${scope}: ${have}${total === have ? ' (complete)' : ''}\n`);
      }
    }
    return flags.strict && counts.rejected > 0 ? EXIT.REJECTED : EXIT.OK;
  } catch (error) {
    progress.clear();
    if (!(error instanceof FetchError)) throw error;
    const where = flags.out === undefined ? '' : `; ${flags.out} holds the ${lastState?.delivered ?? 0} events delivered so far, as valid NDJSON`;
    const resume = flags.state === undefined ? '' : `; --state ${flags.state} continues from there`;
    io.stderr.write(`simfleet fetch: ${error.message}${where}${resume}\n`);
    return EXIT.USAGE;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await sink.close();
  }
}

function parseFetchFlags(argv: readonly string[], io: CliIo): FetchFlags | 'help' {
  const { values, positionals } = withUsageErrors('fetch', () =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        api: { type: 'string', default: EMNIFY_API },
        'app-token': { type: 'string' },
        from: { type: 'string' },
        until: { type: 'string' },
        type: { type: 'string' },
        endpoint: { type: 'string' },
        out: { type: 'string' },
        to: { type: 'string' },
        token: { type: 'string' },
        state: { type: 'string' },
        follow: { type: 'boolean', default: false },
        interval: { type: 'string' },
        rejects: { type: 'string' },
        strict: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`fetch takes no paths, got '${positionals[0]}'`);
  let api: URL;
  try {
    api = new URL(values.api);
  } catch {
    throw new UsageError(`--api expects an http(s) URL, got '${values.api}'`);
  }
  if (api.protocol !== 'https:' && api.protocol !== 'http:') throw new UsageError(`--api expects an http(s) URL, got '${values.api}'`);
  const applicationToken = values['app-token'] ?? io.env['EMNIFY_APPLICATION_TOKEN'];
  if (applicationToken === undefined || applicationToken === '') {
    throw new UsageError('fetch needs an application token: pass --app-token TOKEN or set EMNIFY_APPLICATION_TOKEN');
  }
  const from = instant('from', values.from);
  const until = instant('until', values.until);
  if (from !== null && until !== null && from > until) throw new UsageError(`--from ${values.from} is after --until ${values.until}`);
  const types = values.type === undefined ? [] : typeIds(values.type);
  if (values.endpoint !== undefined && !/^\d{1,20}$/.test(values.endpoint)) {
    throw new UsageError(`--endpoint expects an endpoint id (digits), got '${values.endpoint}'`);
  }
  if ((values.out === undefined) === (values.to === undefined)) throw new UsageError('fetch needs exactly one of --out FILE or --to URL');
  let to: FetchFlags['to'];
  if (values.to !== undefined) {
    try {
      const url = new URL(values.to);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new UsageError(`--to expects the http(s) URL of a running 'simfleet serve', got '${values.to}'`);
    }
    const token = values.token ?? io.env['SIMFLEET_TOKEN'];
    if (token === undefined || token === '') throw new UsageError("--to needs serve's bearer token: pass --token T or set SIMFLEET_TOKEN");
    to = { url: values.to, token };
  } else if (values.token !== undefined) {
    throw new UsageError('--token is the bearer token for --to; it has no use with --out');
  }
  if (values.follow && until !== null) throw new UsageError('--follow polls for new events: it cannot be combined with --until');
  if (values.interval !== undefined && !values.follow) throw new UsageError('--interval needs --follow');
  let followMs: number | undefined;
  if (values.follow) {
    const text = values.interval ?? '60';
    const seconds = Number(text);
    if (!/^\d+(?:\.\d+)?$/.test(text) || !(seconds > 0)) throw new UsageError(`--interval expects a positive number of seconds, got '${text}'`);
    followMs = seconds * 1000;
  }
  return {
    query: { api: api.href.replace(/\/+$/, ''), endpoint: values.endpoint ?? null, types, from, until },
    applicationToken,
    out: values.out,
    to,
    state: values.state,
    followMs,
    rejects: values.rejects,
    strict: values.strict,
    quiet: values.quiet,
  };
}

function instant(flag: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  const ms = parseTimestamp(text);
  if (ms === null) throw new UsageError(`--${flag} expects an ISO-8601 instant (2021-10-27T09:00:00Z), got '${text}'`);
  return ms;
}

function typeIds(text: string): number[] {
  const ids = text.split(',').map((part) => part.trim());
  for (const id of ids) if (!/^\d{1,4}$/.test(id)) throw new UsageError(`--type expects event type ids separated by commas (3,4), got '${text}'`);
  return [...new Set(ids.map(Number))].sort((a, b) => a - b);
}

function describeQuery(query: FetchQuery): string {
  const parts = [query.api];
  if (query.endpoint !== null) parts.push(`endpoint ${query.endpoint}`);
  if (query.types.length > 0) parts.push(`types ${query.types.join(',')}`);
  if (query.from !== null) parts.push(`from ${formatTimestamp(query.from)}`);
  if (query.until !== null) parts.push(`until ${formatTimestamp(query.until)}`);
  return parts.join(', ');
}

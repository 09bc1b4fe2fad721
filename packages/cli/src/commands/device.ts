import { formatTimestamp, type Transition, stringifyJson } from '@simfleet/core';
import { Duration } from 'luxon';
import { parseArgs } from 'node:util';
import { withUsageErrors } from '../args.js';
import { type CliIo, EXIT, UsageError } from '../cliIo.js';
import { createProgress } from '../output/progress.js';
import { parseUntil, UNTIL_HELP } from './untilFlag.js';
import { accountingLine, eventTypeName, expandPaths, replaySources } from '@simfleet/engine';

const HELP = `simfleet device <endpointId> <paths...> [--until TIME] [--json] [--quiet]

One device's timeline: every state change with its time, the event that caused it and
how long the previous state lasted. The logs are replayed in full (organisation blocks
and duplicates need the whole fleet); only this endpoint's changes are shown.

  --json            the timeline as JSON {"endpointId","changes":[…],"events","name"}
                    (name: the endpoint's name now, null when no event said one)
  --until TIME      the timeline up to that instant
  --quiet           no progress bar
${UNTIL_HELP}`;

/** One line of a device timeline. */
interface TimelineEntry {
  readonly at: number;
  readonly region: string;
  readonly from: string;
  readonly to: string;
  readonly eventId: bigint;
  readonly event: string;
  /** How long `from` lasted, ms; null when it held since before the first event we saw. */
  readonly previousLasted: number | null;
}

/** `simfleet device`: one endpoint's state changes over time. */
export async function runDevice(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsageErrors(
    'device',
    () =>
      parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          until: { type: 'string' },
          json: { type: 'boolean', default: false },
          quiet: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }),
    argv,
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.OK;
  }
  const [idText, ...paths] = positionals;
  if (idText === undefined || !/^\d+$/.test(idText) || !Number.isSafeInteger(Number(idText))) {
    throw new UsageError(`device expects an endpoint id (an integer) first, got '${idText ?? ''}'`);
  }
  const endpointId = Number(idText);
  const until = parseUntil(values.until);
  const sources = await expandPaths(paths, { warn: (line) => io.stderr.write(`simfleet: ${line}\n`) });
  const changes: Transition[] = [];
  const { session, account } = await replaySources(sources, {
    stdin: io.stdin,
    progress: (totalBytes) => createProgress(io.stderr, { quiet: values.quiet, totalBytes }),
    watchEndpoint: endpointId,
    onTransition: (t) => {
      if (t.endpointId === endpointId) changes.push(t);
    },
    ...(until === undefined ? {} : { until }),
  });
  const state = session.fleet.readEndpoint(endpointId);
  if (state === undefined) {
    io.stderr.write(`simfleet: endpoint ${endpointId} appears in no applied event of these logs\n${accountingLine(account)}\n`);
    return EXIT.USAGE;
  }
  const regionSince = new Map<string, number>();
  const timeline: TimelineEntry[] = changes.map((t) => {
    const started = regionSince.get(t.region);
    regionSince.set(t.region, t.at);
    const watched = session.watched.get(t.eventId);
    return {
      at: t.at,
      region: t.region,
      from: t.from,
      to: t.to,
      eventId: t.eventId,
      event: watched === undefined ? 'organisation event' : eventTypeName(watched.typeId),
      previousLasted: started === undefined ? null : t.at - started,
    };
  });
  if (values.json) {
    io.stdout.write(
      `${stringifyJson({
        endpointId,
        changes: timeline.map((e) => ({ ...e, at: formatTimestamp(e.at) })),
        events: session.watched.size,
        name: state.name,
      })}\n`,
    );
  } else {
    io.stdout.write(renderTimeline(endpointId, state.name, timeline, session.watched.size, state.status));
  }
  io.stderr.write(`${accountingLine(account)}\n`);
  return EXIT.OK;
}

function renderTimeline(endpointId: number, name: string | null, timeline: readonly TimelineEntry[], events: number, status: string): string {
  // The name is a label anyone can set: quoted as JSON, so no control character reaches the terminal.
  const named = name === null ? '' : ` ${JSON.stringify(name)}`;
  const lines = [`endpoint ${endpointId}${named}: ${events} events, ${timeline.length} state changes, now ${status}`, ''];
  for (const e of timeline) {
    const lasted = e.previousLasted === null ? 'since first seen' : `after ${humanDuration(e.previousLasted)}`;
    lines.push(`${formatTimestamp(e.at)}  ${e.region.padEnd(12)} ${`${e.from} → ${e.to}`.padEnd(28)} ${e.event} #${e.eventId}  (${lasted})`);
  }
  return `${lines.join('\n')}\n`;
}

/** "2 days, 3 hours", "45 seconds": the two largest units that are not zero. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const parts = Duration.fromMillis(ms).shiftTo('days', 'hours', 'minutes', 'seconds').toObject();
  const named = (['days', 'hours', 'minutes', 'seconds'] as const)
    .map((unit) => [unit, Math.floor(parts[unit] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .slice(0, 2)
    .map(([unit, n]) => Duration.fromObject({ [unit]: n }).toHuman({ unitDisplay: 'long' }));
  return named.join(', ');
}

/**
 * The WebAssembly route (WasmLines: one call per chunk) settles every line exactly as the
 * line-by-line fast path (ReplaySession.ingestLine): the same snapshot, accounting, transitions
 * and rejections (code, reason, line), over random messy logs cut into chunks of any size,
 * with `until`, a watched endpoint, a small row budget (spills) and skipped leading lines.
 */
import type { Transition } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Rejection, type ReplayOptions, ReplaySession } from '../../src/replay/ReplaySession.js';
import { snapshotChunks } from '../../src/snapshot/snapshot.js';
import { type Line, messyLogArb } from '../messyLog.js';

const logArb = messyLogArb({ maxEvents: 250, maxDevices: 25, retimed: true });
const untilArb = fc.option(fc.integer({ min: 0, max: 4 * 3600 }), { nil: undefined }).map((s) => (s === undefined ? undefined : Date.UTC(2021, 9, 27) + s * 1000));

interface Outcome {
  readonly snapshot: string;
  readonly transitions: string[];
  readonly rejections: string[];
  readonly watched: string[];
}

function replay(options: ReplayOptions, ingest: (session: ReplaySession) => void): Outcome {
  const transitions: string[] = [];
  const rejections: string[] = [];
  const onTransition = (t: Transition): void => {
    transitions.push(`${t.endpointId}:${t.region}:${t.from}>${t.to}@${t.at}#${t.eventId}`);
  };
  const onReject = (r: Rejection): void => {
    rejections.push(`${r.file}:${r.line} ${r.code} ${r.reason}`);
  };
  const session = new ReplaySession({ ...options, onTransition, onReject });
  ingest(session);
  const account = session.finish();
  const watched = [...session.watched].map(([id, e]) => `${id}:${e.typeId}:${e.description}`);
  return { snapshot: [...snapshotChunks(session.fleet, account)].join(''), transitions, rejections, watched };
}

/** The line-by-line route, lines after `skip`. */
const byLine = (text: Buffer, skip: number) => (session: ReplaySession): void => {
  let line = 1;
  let start = 0;
  for (let nl = text.indexOf(10); nl !== -1; nl = text.indexOf(10, start)) {
    if (line > skip) session.ingestLine(text, start, nl, 'all.ndjson', line);
    line++;
    start = nl + 1;
  }
  if (start < text.length && line > skip) session.ingestLine(text, start, text.length, 'all.ndjson', line);
};

/** The WebAssembly route, the text cut into pieces of `piece` bytes. */
const byChunk = (text: Buffer, skip: number, piece: number) => (session: ReplaySession): void => {
  const lines = session.wasmLines('all.ndjson', skip);
  for (let at = 0; at < text.length; at += piece) lines.push(text.subarray(at, Math.min(text.length, at + piece)));
  lines.end();
};

const textOf = (lines: readonly Line[], finalNewline: boolean): Buffer => Buffer.from(lines.map((l) => l.text).join('\n') + (finalNewline ? '\n' : ''));

describe('the WebAssembly route equals the line-by-line fast path', () => {
  it('same snapshot, transitions and rejections over messy logs, any chunking, until and a watched endpoint', () => {
    fc.assert(
      fc.property(logArb, untilArb, fc.integer({ min: 1, max: 5000 }), fc.boolean(), fc.nat(), (lines, until, piece, finalNewline, watchPick) => {
        const text = textOf(lines, finalNewline);
        const endpoints = [...text.toString('utf8').matchAll(/"endpoint":\{"id":(\d+)/g)].map((m) => Number(m[1]));
        const watch = endpoints.length > 0 && watchPick % 3 === 0 ? endpoints[watchPick % endpoints.length] : undefined;
        const options: ReplayOptions = { ...(until === undefined ? {} : { until }), ...(watch === undefined ? {} : { watchEndpoint: watch }) };
        expect(replay(options, byChunk(text, 0, piece))).toEqual(replay(options, byLine(text, 0)));
      }),
      { numRuns: 60 },
    );
  });

  it('with a small row budget (spilled runs) and leading lines skipped (a resumed checkpoint)', () => {
    fc.assert(
      fc.property(logArb, fc.constantFrom(1, 7, 100), fc.nat(), fc.integer({ min: 50, max: 3000 }), (lines, budget, skipPick, piece) => {
        const text = textOf(lines, true);
        const skip = skipPick % (lines.length + 1);
        const options: ReplayOptions = { maxRowsInMemory: budget };
        expect(replay(options, byChunk(text, skip, piece))).toEqual(replay(options, byLine(text, skip)));
      }),
      { numRuns: 30 },
    );
  });
});

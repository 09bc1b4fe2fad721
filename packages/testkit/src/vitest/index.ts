/**
 * vitest matchers for simfleet. Importing this module registers them:
 *
 * ```ts
 * import '@simfleet/testkit/vitest';
 * expect(fleet).toHaveDevice(11089066, { status: 'ONLINE' });
 * expect(records).toLeadTo({ connectivity: 'ATTACHED' });
 * ```
 *
 * On failure they print the device's timeline: every event, what it changed, and what
 * the engine ignored as a duplicate or late event.
 */
import { type EndpointState, FleetStore } from '@simfleet/core';
import { expect, type MatcherResult as ExpectationResult, type MatcherState } from 'vitest';
import { type FleetReplay, formatTimeline, replayRecords } from '../replay/replayRecords.js';
import type { AnyEvent } from '../replay/toDeviceEvents.js';

/** The fields of an endpoint's state a matcher compares (the ones given). */
export type ExpectedEndpoint = Partial<EndpointState>;

type MatcherContext = MatcherState;
/** A synchronous matcher result (vitest's `ExpectationResult` minus the promise). */
type MatcherResult = Exclude<ExpectationResult, Promise<unknown>>;

const isReplay = (value: unknown): value is FleetReplay => typeof value === 'object' && value !== null && 'fleet' in value && 'timeline' in value;

/** The expected fields, read from the state. */
function picked(state: EndpointState, expected: ExpectedEndpoint): Partial<EndpointState> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) out[key] = (state as unknown as Record<string, unknown>)[key];
  return out as Partial<EndpointState>;
}

function compare(
  ctx: MatcherContext,
  endpointId: number,
  state: EndpointState | undefined,
  expected: ExpectedEndpoint | undefined,
  timeline: string | null,
  known: readonly number[],
): MatcherResult {
  const story = timeline === null ? '' : `\n\nTimeline of endpoint ${endpointId}:\n${timeline}`;
  if (state === undefined) {
    const some = known.slice(0, 10).join(', ');
    return {
      pass: false,
      message: () =>
        `expected the fleet to have endpoint ${endpointId}, but no event named it (the fleet has ${known.length} endpoint(s)${known.length > 0 ? `: ${some}${known.length > 10 ? ', …' : ''}` : ''})${story}`,
    };
  }
  if (expected === undefined) {
    return {
      pass: true,
      message: () => `expected the fleet not to have endpoint ${endpointId}, but it has it (status ${state.status})${story}`,
    };
  }
  const actual = picked(state, expected);
  const pass = ctx.equals(actual, expected);
  return {
    pass,
    actual,
    expected,
    message: () => {
      const head = `expected endpoint ${endpointId} ${ctx.isNot ? 'not ' : ''}to have ${ctx.utils.printExpected(expected)}`;
      const diff = ctx.isNot ? null : ctx.utils.diff(expected, actual);
      return `${head}${diff === null ? `\nbut it has ${ctx.utils.printReceived(actual)}` : `\n\n${diff}`}${story}`;
    },
  };
}

/**
 * `expect(fleet).toHaveDevice(endpointId, expected?)`: the fleet (a `FleetStore` or a
 * `replayRecords` result) has the endpoint, and its state has the given fields.
 */
function toHaveDevice(this: MatcherContext, received: unknown, endpointId: number, expected?: ExpectedEndpoint): MatcherResult {
  const replay = isReplay(received) ? received : undefined;
  const fleet = replay?.fleet ?? received;
  if (!(fleet instanceof FleetStore)) {
    return {
      pass: false,
      message: () => `toHaveDevice expects a FleetStore or a replayRecords(...) result, received ${this.utils.printReceived(received)}`,
    };
  }
  const timeline = replay === undefined ? null : formatTimeline(replay.timeline(endpointId));
  return compare(this, endpointId, fleet.readEndpoint(endpointId), expected, timeline, [...fleet.endpointIds()]);
}

/**
 * `expect(events).toLeadTo(expected, endpointId?)`: replaying the events (raw records,
 * JSON lines, decoded or device events; any order) leaves the endpoint in a state with
 * the given fields. The endpoint may be left out when the events name only one.
 */
function toLeadTo(this: MatcherContext, received: unknown, expected: ExpectedEndpoint, endpointId?: number): MatcherResult {
  if (!Array.isArray(received) && !(typeof received === 'object' && received !== null && Symbol.iterator in received)) {
    return { pass: false, message: () => `toLeadTo expects a list of events, received ${this.utils.printReceived(received)}` };
  }
  let replay: FleetReplay;
  try {
    replay = replayRecords(received as Iterable<AnyEvent>);
  } catch (error) {
    return { pass: false, message: () => `toLeadTo could not replay the events: ${(error as Error).message}` };
  }
  const ids = [...replay.fleet.endpointIds()];
  const id = endpointId ?? (ids.length === 1 ? ids[0] : undefined);
  if (id === undefined) {
    return {
      pass: false,
      message: () =>
        ids.length === 0
          ? 'toLeadTo: the events name no endpoint'
          : `toLeadTo: the events name ${ids.length} endpoints (${ids.slice(0, 10).join(', ')}); say which: toLeadTo(expected, endpointId)`,
    };
  }
  return compare(this, id, replay.readEndpoint(id), expected, formatTimeline(replay.timeline(id)), ids);
}

expect.extend({ toHaveDevice, toLeadTo });

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: the type parameter must match vitest's own declaration
  interface Matchers<T = any> {
    /**
     * The fleet (a `FleetStore` or a `replayRecords` result) has the endpoint, with the
     * given state fields; a failure shows the endpoint's timeline when it can.
     *
     * @example
     * expect(replayRecords(records)).toHaveDevice(11089066, { status: 'ONLINE' });
     */
    toHaveDevice(endpointId: number, expected?: Partial<EndpointState>): void;
    /**
     * Replaying the events leaves the endpoint (the only one they name, or the one given)
     * with the given state fields; a failure shows its timeline.
     *
     * @example
     * expect(records).toLeadTo({ connectivity: 'ATTACHED' });
     */
    toLeadTo(expected: Partial<EndpointState>, endpointId?: number): void;
  }
}

export { formatTimeline, replayRecords };

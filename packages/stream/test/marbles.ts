import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import type { TimedEvent } from '../src/index.js';

/** A TestScheduler asserting with vitest's deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}

/** A minimal timed event: event time `at` (ms) and id. */
export function ev(at: number, id: number): TimedEvent {
  return { at, eventId: BigInt(id) };
}

import type { ActivityTransition } from '../fleetTransition.js';
import { MinHeap } from './MinHeap.js';

interface Activity {
  lastAt: number;
  lastEventId: bigint;
  connected: boolean;
  stale: boolean;
}

interface Deadline {
  readonly deadline: number;
  readonly endpointId: number;
  /** The `lastAt` this deadline was computed from: outdated once the device speaks again. */
  readonly lastAt: number;
}

const byDeadline = (a: Deadline, b: Deadline): number => a.deadline - b.deadline || a.endpointId - b.endpointId;

/**
 * Applies the inactivity rule event by event, in (time, id) order, so its decisions do
 * not depend on how events were batched. A heap of deadlines (last event time + `after`)
 * with lazy deletion finds the devices the clock has just passed; entries made outdated
 * by a newer event are skipped when they surface, and the heap is rebuilt when such
 * entries outnumber the live ones, which bounds it by about twice the device count.
 */
export class InactivityTracker {
  readonly #after: number;
  readonly #devices = new Map<number, Activity>();
  readonly #deadlines = new MinHeap<Deadline>(byDeadline);
  #staleCount = 0;

  constructor(afterMs: number) {
    this.#after = afterMs;
  }

  get staleCount(): number {
    return this.#staleCount;
  }

  isStale(endpointId: number): boolean {
    return this.#devices.get(endpointId)?.stale === true;
  }

  /** Moves the clock to `now`: devices silent for longer than the rule become stale. */
  advance(now: number, out: ActivityTransition[]): void {
    for (let top = this.#deadlines.peek(); top !== undefined && top.deadline < now; top = this.#deadlines.peek()) {
      this.#deadlines.pop();
      const device = this.#devices.get(top.endpointId);
      if (device === undefined || device.lastAt !== top.lastAt || device.stale || !device.connected) continue;
      device.stale = true;
      this.#staleCount += 1;
      out.push({ endpointId: top.endpointId, region: 'activity', from: 'ACTIVE', to: 'STALE', at: top.deadline, eventId: device.lastEventId });
    }
  }

  /** An event of the device was applied at `at`; a stale device is active again. */
  touch(endpointId: number, at: number, eventId: bigint, out: ActivityTransition[]): void {
    let device = this.#devices.get(endpointId);
    if (device === undefined) {
      device = { lastAt: at, lastEventId: eventId, connected: false, stale: false };
      this.#devices.set(endpointId, device);
    } else if (at >= device.lastAt) {
      device.lastAt = at;
      device.lastEventId = eventId;
    } else {
      // A late event (placed in the device's past) says nothing about its silence now.
      return;
    }
    if (device.stale) {
      device.stale = false;
      this.#staleCount -= 1;
      out.push({ endpointId, region: 'activity', from: 'STALE', to: 'ACTIVE', at, eventId });
    }
  }

  /** The device's connectivity after its latest event (ATTACHED/ONLINE count as connected). */
  setConnected(endpointId: number, connected: boolean): void {
    const device = this.#devices.get(endpointId);
    if (device !== undefined) device.connected = connected;
  }

  /** Arms the device's deadline after its event (and connectivity change) were recorded. */
  arm(endpointId: number): void {
    const device = this.#devices.get(endpointId);
    if (device === undefined || !device.connected) return;
    this.#deadlines.push({ deadline: device.lastAt + this.#after, endpointId, lastAt: device.lastAt });
    if (this.#deadlines.size > 2 * this.#devices.size + 1024) this.#rebuild();
  }

  #rebuild(): void {
    this.#deadlines.clear();
    for (const [endpointId, device] of this.#devices) {
      if (device.connected && !device.stale) this.#deadlines.push({ deadline: device.lastAt + this.#after, endpointId, lastAt: device.lastAt });
    }
  }
}

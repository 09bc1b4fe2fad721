/**
 * The device statechart: the executable specification of what emnify events do to one
 * SIM/endpoint.
 *
 * Pure (no timers, no child actors, no side effects): every change is a transition or an
 * `assign`. Six parallel regions carry the state the snapshot shows; a seventh,
 * `recorder`, exists only so that one action (`record`) sees every event exactly once and
 * keeps the context (identity fields, counters, last event).
 *
 * The compiled reducer (reducer/compileMachine.ts) reads its transition tables out of this
 * machine through XState's pure `transition()`, so nothing here is copied by hand anywhere
 * else. Where a rule comes from is listed in machine/ruleSources.ts and rendered into
 * docs/state-machine.md.
 *
 * Rules worth knowing when reading the config:
 * - No state targets itself (ONLINE + SESSION_CREATED stays in ONLINE without re-entering),
 *   so `since` — stamped by the connectivity states' entry action — only moves when
 *   connectivity really changes.
 * - DELETED is `final` in the `sim` region only: the machine as a whole never finishes
 *   (the other regions have no final state), so later events are still recorded.
 * - The organisation's block is not here: it is fleet-level (machine/organisationMachine.ts).
 */
import { assign, setup } from 'xstate';
import type { DeviceEvent } from './deviceEvent.js';
import type { EndpointFacts } from './endpointState.js';

/**
 * What the device machine remembers besides its region states: exactly the endpoint
 * facts the views show (`EndpointFacts`), so the machine's context and the fleet
 * store's fields are one list, checked field by field by the differential test.
 */
export type DeviceContext = EndpointFacts;

/** Input of the device machine: the endpoint it stands for. */
export interface DeviceMachineInput {
  readonly endpointId: number;
}

/** The regions that hold device state, in the order the reducer stores them. */
export const DEVICE_REGIONS = ['connectivity', 'sim', 'endpoint', 'block', 'dataQuota', 'smsQuota'] as const;
export type DeviceRegion = (typeof DEVICE_REGIONS)[number];

/** The region that only records; it has one state and never changes. */
export const RECORDER_REGION = 'recorder';

/** The context of a device nobody has heard anything about yet. */
export function initialDeviceContext(endpointId: number): DeviceContext {
  return {
    endpointId,
    organisationId: null,
    simId: null,
    iccid: null,
    imsi: null,
    imei: null,
    ipAddress: null,
    name: null,
    operator: null,
    ratType: null,
    apn: null,
    lastEventId: null,
    lastEventAt: null,
    since: null,
    attaches: 0,
    sessions: 0,
    rejections: 0,
    lastRejectionReason: null,
  };
}

/** An accepted or updated PDP context: the only events whose RAT type and APN count. */
const carriesSession = (event: DeviceEvent): boolean => event.type === 'SESSION_CREATED' || event.type === 'SESSION_UPDATED';

/**
 * The context after one event: observation fields that are not `null` replace what the
 * device knew; counters count their event type.
 */
function recordEvent(context: DeviceContext, event: DeviceEvent): DeviceContext {
  const o = event.observation;
  const session = carriesSession(event);
  const rejected = event.type === 'SESSION_REJECTED';
  return {
    endpointId: context.endpointId,
    organisationId: o.organisationId ?? context.organisationId,
    simId: o.simId ?? context.simId,
    iccid: o.iccid ?? context.iccid,
    imsi: o.imsi ?? context.imsi,
    imei: o.imei ?? context.imei,
    ipAddress: o.ipAddress ?? context.ipAddress,
    name: o.name ?? context.name,
    operator: o.operator ?? context.operator,
    ratType: session ? (o.ratType ?? context.ratType) : context.ratType,
    apn: session ? (o.apn ?? context.apn) : context.apn,
    lastEventId: event.eventId,
    lastEventAt: event.at,
    since: context.since,
    attaches: context.attaches + (event.type === 'ATTACH' ? 1 : 0),
    sessions: context.sessions + (event.type === 'SESSION_CREATED' ? 1 : 0),
    rejections: context.rejections + (rejected ? 1 : 0),
    lastRejectionReason: rejected ? (o.rejectionReason ?? context.lastRejectionReason) : context.lastRejectionReason,
  };
}

/** True for a statechart event, false for XState's own (`xstate.init`, `xstate.done.state.…`). */
const isDeviceEvent = (event: { type: string }): boolean => !event.type.startsWith('xstate.');

/**
 * The device statechart (XState v5).
 *
 * @example
 * import { createActor } from 'xstate';
 * const actor = createActor(deviceMachine, { input: { endpointId: 11089066 } }).start();
 * actor.send({ type: 'SESSION_CREATED', at: Date.parse('2021-10-27T08:38:02Z'), eventId: 137112624332866n,
 *   endpointId: 11089066, observation: EMPTY_OBSERVATION });
 * actor.getSnapshot().value.connectivity; // 'ONLINE'
 */
export const deviceMachine = setup({
  types: {
    context: {} as DeviceContext,
    events: {} as DeviceEvent,
    input: {} as DeviceMachineInput,
  },
  guards: {
    // A wildcard transition also sees XState's internal events (the `sim` region raises
    // `xstate.done.state.device.sim` on reaching DELETED): only statechart events are recorded.
    isDeviceEvent: ({ event }) => isDeviceEvent(event),
  },
  actions: {
    record: assign(({ context, event }) => recordEvent(context, event)),
    // Entry of a connectivity state is a change of connectivity (no self-transitions), except
    // the initial entry, which happens on `xstate.init` and leaves `since` null.
    stampSince: assign(({ context, event }) => (isDeviceEvent(event) ? { since: event.at } : { since: context.since })),
  },
}).createMachine({
  id: 'device',
  type: 'parallel',
  context: ({ input }) => initialDeviceContext(input.endpointId),
  states: {
    connectivity: {
      initial: 'OFFLINE',
      states: {
        OFFLINE: {
          entry: 'stampSince',
          on: {
            ATTACH: 'ATTACHED',
            SESSION_CREATED: 'ONLINE',
            SESSION_UPDATED: 'ONLINE',
            SESSION_REJECTED: 'ATTACHED',
          },
        },
        ATTACHED: {
          entry: 'stampSince',
          on: {
            SESSION_CREATED: 'ONLINE',
            SESSION_UPDATED: 'ONLINE',
            PURGE: 'OFFLINE',
          },
        },
        ONLINE: {
          entry: 'stampSince',
          on: {
            SESSION_ENDED: 'ATTACHED',
            PURGE: 'OFFLINE',
          },
        },
      },
    },
    sim: {
      initial: 'UNKNOWN',
      states: {
        UNKNOWN: {
          on: {
            SIM_REGISTERED: 'ISSUED',
            SIM_ACTIVATED: 'ACTIVATED',
            SIM_SUSPENDED: 'SUSPENDED',
            SIM_FACTORY_TEST: 'FACTORY_TEST',
            SIM_DELETED: 'DELETED',
          },
        },
        ISSUED: {
          on: {
            SIM_ACTIVATED: 'ACTIVATED',
            SIM_SUSPENDED: 'SUSPENDED',
            SIM_FACTORY_TEST: 'FACTORY_TEST',
            SIM_DELETED: 'DELETED',
          },
        },
        ACTIVATED: {
          on: {
            SIM_SUSPENDED: 'SUSPENDED',
            SIM_FACTORY_TEST: 'FACTORY_TEST',
            SIM_DELETED: 'DELETED',
          },
        },
        SUSPENDED: {
          on: {
            SIM_ACTIVATED: 'ACTIVATED',
            SIM_FACTORY_TEST: 'FACTORY_TEST',
            SIM_DELETED: 'DELETED',
          },
        },
        FACTORY_TEST: {
          on: {
            SIM_ACTIVATED: 'ACTIVATED',
            SIM_SUSPENDED: 'SUSPENDED',
            SIM_DELETED: 'DELETED',
          },
        },
        DELETED: { type: 'final' },
      },
    },
    endpoint: {
      initial: 'UNKNOWN',
      states: {
        UNKNOWN: { on: { ENDPOINT_ENABLED: 'ENABLED', ENDPOINT_DISABLED: 'DISABLED' } },
        ENABLED: { on: { ENDPOINT_DISABLED: 'DISABLED' } },
        DISABLED: { on: { ENDPOINT_ENABLED: 'ENABLED' } },
      },
    },
    block: {
      initial: 'NOT_BLOCKED',
      states: {
        NOT_BLOCKED: { on: { ENDPOINT_BLOCKED: 'BLOCKED' } },
        BLOCKED: { on: { SESSION_CREATED: 'NOT_BLOCKED', ENDPOINT_ENABLED: 'NOT_BLOCKED' } },
      },
    },
    dataQuota: {
      initial: 'UNKNOWN',
      states: {
        UNKNOWN: {
          on: {
            DATA_QUOTA_ASSIGNED: 'ACTIVE',
            DATA_QUOTA_THRESHOLD: 'ACTIVE_THRESHOLD',
            DATA_QUOTA_USED_UP: 'EXHAUSTED',
            DATA_QUOTA_EXPIRED: 'EXPIRED',
            DATA_QUOTA_DELETED: 'NONE',
          },
        },
        NONE: {
          on: {
            DATA_QUOTA_ASSIGNED: 'ACTIVE',
            DATA_QUOTA_THRESHOLD: 'ACTIVE_THRESHOLD',
            DATA_QUOTA_USED_UP: 'EXHAUSTED',
            DATA_QUOTA_EXPIRED: 'EXPIRED',
          },
        },
        ACTIVE: {
          on: {
            DATA_QUOTA_THRESHOLD: 'ACTIVE_THRESHOLD',
            DATA_QUOTA_USED_UP: 'EXHAUSTED',
            DATA_QUOTA_EXPIRED: 'EXPIRED',
            DATA_QUOTA_DELETED: 'NONE',
          },
        },
        ACTIVE_THRESHOLD: {
          on: {
            DATA_QUOTA_ASSIGNED: 'ACTIVE',
            DATA_QUOTA_USED_UP: 'EXHAUSTED',
            DATA_QUOTA_EXPIRED: 'EXPIRED',
            DATA_QUOTA_DELETED: 'NONE',
          },
        },
        EXHAUSTED: {
          on: {
            DATA_QUOTA_ASSIGNED: 'ACTIVE',
            DATA_QUOTA_THRESHOLD: 'ACTIVE_THRESHOLD',
            DATA_QUOTA_EXPIRED: 'EXPIRED',
            DATA_QUOTA_DELETED: 'NONE',
          },
        },
        EXPIRED: {
          on: {
            DATA_QUOTA_ASSIGNED: 'ACTIVE',
            DATA_QUOTA_THRESHOLD: 'ACTIVE_THRESHOLD',
            DATA_QUOTA_USED_UP: 'EXHAUSTED',
            DATA_QUOTA_DELETED: 'NONE',
          },
        },
      },
    },
    smsQuota: {
      initial: 'UNKNOWN',
      states: {
        UNKNOWN: {
          on: {
            SMS_QUOTA_ASSIGNED: 'ACTIVE',
            SMS_QUOTA_THRESHOLD: 'ACTIVE_THRESHOLD',
            SMS_QUOTA_USED_UP: 'EXHAUSTED',
            SMS_QUOTA_DELETED: 'NONE',
          },
        },
        NONE: {
          on: {
            SMS_QUOTA_ASSIGNED: 'ACTIVE',
            SMS_QUOTA_THRESHOLD: 'ACTIVE_THRESHOLD',
            SMS_QUOTA_USED_UP: 'EXHAUSTED',
          },
        },
        ACTIVE: {
          on: {
            SMS_QUOTA_THRESHOLD: 'ACTIVE_THRESHOLD',
            SMS_QUOTA_USED_UP: 'EXHAUSTED',
            SMS_QUOTA_DELETED: 'NONE',
          },
        },
        ACTIVE_THRESHOLD: {
          on: {
            SMS_QUOTA_ASSIGNED: 'ACTIVE',
            SMS_QUOTA_USED_UP: 'EXHAUSTED',
            SMS_QUOTA_DELETED: 'NONE',
          },
        },
        EXHAUSTED: {
          on: {
            SMS_QUOTA_ASSIGNED: 'ACTIVE',
            SMS_QUOTA_THRESHOLD: 'ACTIVE_THRESHOLD',
            SMS_QUOTA_DELETED: 'NONE',
          },
        },
      },
    },
    recorder: {
      initial: 'RECORDING',
      states: {
        RECORDING: { on: { '*': { guard: 'isDeviceEvent', actions: 'record' } } },
      },
    },
  },
});

/** The device machine's type, for helpers that take it as a parameter. */
export type DeviceMachine = typeof deviceMachine;

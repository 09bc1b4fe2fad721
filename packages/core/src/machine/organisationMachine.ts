/**
 * The organisation statechart: whether an organisation is blocked.
 *
 * The organisation block is fleet-level, not per device: Organisation blocked (12) blocks
 * every endpoint of the organisation, including endpoints first seen afterwards. The seeds
 * name no unblock event ("Changing the policies will unblock the device."): our inference is
 * that an accepted Create PDP Context of any endpoint of the organisation proves service was
 * granted again, so it unblocks the organisation — and with it every member device.
 *
 * Every event that concerns the organisation is sent to it (an endpoint's events go to the
 * endpoint's current organisation); the machine decides which ones matter. A device is
 * `blocked` when its own `block` region is BLOCKED or its organisation is BLOCKED.
 */
import { setup } from 'xstate';
import type { DeviceEvent } from './deviceEvent.js';

/** What the organisation machine remembers. */
export interface OrganisationContext {
  readonly organisationId: number;
}

/** Input of the organisation machine. */
export interface OrganisationMachineInput {
  readonly organisationId: number;
}

/**
 * The organisation statechart (XState v5): ACTIVE | BLOCKED.
 *
 * @example
 * import { createActor } from 'xstate';
 * const org = createActor(organisationMachine, { input: { organisationId: 12033 } }).start();
 * org.send({ type: 'ORGANISATION_BLOCKED', at: 0, eventId: 1n, endpointId: null, observation: EMPTY_OBSERVATION });
 * org.getSnapshot().value; // 'BLOCKED'
 */
export const organisationMachine = setup({
  types: {
    context: {} as OrganisationContext,
    events: {} as DeviceEvent,
    input: {} as OrganisationMachineInput,
  },
}).createMachine({
  id: 'organisation',
  initial: 'ACTIVE',
  context: ({ input }) => ({ organisationId: input.organisationId }),
  states: {
    ACTIVE: { on: { ORGANISATION_BLOCKED: 'BLOCKED' } },
    BLOCKED: { on: { SESSION_CREATED: 'ACTIVE' } },
  },
});

/** The organisation machine's type. */
export type OrganisationMachine = typeof organisationMachine;

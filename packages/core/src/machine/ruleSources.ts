/**
 * Where each rule of the statecharts comes from: the seed sentence (emnify's event-type
 * documentation), the reference notes on emnify's events, a project decision, or our
 * own inference where the documents are silent.
 *
 * This is documentation data, not behaviour: the machines (deviceMachine.ts,
 * organisationMachine.ts) are the rules. `renderStateMachineMarkdown()` joins these
 * sources to the transitions compiled from the machines, and fails when a transition has
 * no source, so a new rule cannot land undocumented. Quotes are verbatim (Markdown links
 * reduced to their text) from the documents named in `where`.
 */
import type { DeviceEventType } from './deviceEvent.js';
import type { DeviceRegion } from './deviceMachine.js';

/** How a rule is grounded. */
export type RuleBasis =
  /** Stated by the seeds (emnify's event-type pages): the primary truth. */
  | 'seed'
  /** Stated by the reference notes on emnify's events (facts beyond the seeds). */
  | 'reference'
  /** Decided by the project where the documents are silent. */
  | 'decision'
  /** Our inference: the documents are silent or only suggest it. */
  | 'inference';

/** One quoted sentence and where it is. */
export interface RuleQuote {
  readonly basis: Exclude<RuleBasis, 'inference' | 'decision'>;
  /** The document and section, e.g. `seeds › Update location`. */
  readonly where: string;
  readonly quote: string;
}

/** One rule: which region and event types it governs, what it says and why. */
export interface RuleSource {
  readonly region: DeviceRegion | 'organisation';
  readonly events: readonly DeviceEventType[];
  /** The rule in one line. */
  readonly rule: string;
  readonly basis: RuleBasis;
  /** The sentences it rests on (for an inference: the ones that suggest it). */
  readonly quotes: readonly RuleQuote[];
  /** Why, when the rule goes beyond its quotes. */
  readonly note?: string;
}

const seed = (where: string, quote: string): RuleQuote => ({ basis: 'seed', where: `seeds › ${where}`, quote });
const reference = (where: string, quote: string): RuleQuote => ({
  basis: 'reference',
  where: `reference › ${where}`,
  quote,
});

/** The rules of the device and organisation statecharts, with their sources. */
export const RULE_SOURCES: readonly RuleSource[] = [
  {
    region: 'connectivity',
    events: ['ATTACH'],
    rule: 'Update location (1) / Update GPRS location (2): OFFLINE → ATTACHED; ATTACHED and ONLINE stay.',
    basis: 'seed',
    quotes: [seed('Update location', 'If successful, the device will appear as **Attached** in the emnify Portal and will be ready to receive SMS.')],
  },
  {
    region: 'connectivity',
    events: ['SESSION_CREATED'],
    rule: 'Create PDP Context (3) accepted: any → ONLINE.',
    basis: 'seed',
    quotes: [
      seed(
        'Create PDP Context',
        "This device will appear as **Online** in the emnify Portal as long as there hasn't been a subsequent Delete PDP Context event.",
      ),
    ],
  },
  {
    region: 'connectivity',
    events: ['SESSION_UPDATED'],
    rule: 'Update PDP Context (4, not a deletion): any → ONLINE.',
    basis: 'reference',
    quotes: [reference('Event type ids not in the seeds', 'any other type-4 record is a session update: ONLINE')],
  },
  {
    region: 'connectivity',
    events: ['SESSION_REJECTED'],
    rule: 'Create PDP Context (3) rejected: OFFLINE → ATTACHED; ATTACHED and ONLINE stay; the reason is recorded.',
    basis: 'inference',
    quotes: [seed('Update GPRS location', 'A device can only establish a data session after registering on the PS domain.')],
    note: 'A device that asks for a data session is registered on the network, so it is at least ATTACHED; a refused request does not end a session already running.',
  },
  {
    region: 'connectivity',
    events: ['SESSION_ENDED'],
    rule: 'Delete PDP Context (5), Device offline (49), a Generic (0) data disconnect, a deleting type 4: ONLINE → ATTACHED; others stay.',
    basis: 'seed',
    quotes: [
      seed('Delete PDP Context', 'The event details will also show the data transmitted, and the device will appear as **Attached** in the emnify Portal.'),
      seed(
        'Generic',
        'Data session disconnected while applying the updated actions on the connectivity (PDP sessions) or while applying the updated quota information.',
      ),
      reference('Event type ids not in the seeds', 'platform-side inactivity rule: ends the data session like Delete PDP Context'),
    ],
  },
  {
    region: 'connectivity',
    events: ['PURGE'],
    rule: 'Purge location (15) / Purge GPRS location (16): any → OFFLINE.',
    basis: 'seed',
    quotes: [seed('Purge location', 'Once executed, the device status will appear as **Offline** in the emnify Portal.')],
  },
  {
    region: 'sim',
    events: ['SIM_ACTIVATED'],
    rule: 'SIM activation (8): → ACTIVATED.',
    basis: 'seed',
    quotes: [
      seed(
        'SIM activation',
        'The SIM is patched to the **Activated** status after previously holding one of the following statuses: **Issued**, **Suspended**, or **Factory Test**.',
      ),
    ],
  },
  {
    region: 'sim',
    events: ['SIM_SUSPENDED'],
    rule: 'SIM suspension (9): → SUSPENDED.',
    basis: 'seed',
    quotes: [seed('SIM suspension', 'The SIM is patched to the **Suspended** status, temporarily suspending and blocking it from network access.')],
  },
  {
    region: 'sim',
    events: ['SIM_DELETED'],
    rule: 'SIM deletion (10): → DELETED, final: no later event changes the SIM.',
    basis: 'seed',
    quotes: [
      seed('SIM deletion', 'The SIM is deleted and permanently removed from the SIM repository.'),
      seed('SIM deletion', 'Once deleted, the SIM cannot be restored for network access.'),
    ],
  },
  {
    region: 'sim',
    events: ['SIM_FACTORY_TEST'],
    rule: 'SIM factory test (45): → FACTORY_TEST (from any state but DELETED).',
    basis: 'seed',
    quotes: [seed('SIM factory test', 'SIM is patched from **Issued** to **Factory Test** status (for SIM testing).')],
    note: 'The seed names Issued as the usual prior status; simfleet applies the event from any non-final state, because the event reports what the platform did (and the prior status may not be in the log).',
  },
  {
    region: 'sim',
    events: ['SIM_REGISTERED'],
    rule: 'SIM registration (48): unknown → ISSUED; a known status stays.',
    basis: 'inference',
    quotes: [
      seed('SIM registration', 'SIM or SIM batch is registered to an organization via a Batch Identification Code (BIC).'),
      reference('Catalogs', 'SIM status (emnify API): 0 Issued, 1 Activated, 2 Suspended, 3 Deleted, 4 Factory Test.'),
    ],
    note: 'A newly registered SIM is Issued; the seeds say registration events are not sent for every SIM of a batch, so a registration tells nothing new about a SIM whose status is already known.',
  },
  {
    region: 'endpoint',
    events: ['ENDPOINT_ENABLED'],
    rule: 'Endpoint enabled (42): → ENABLED.',
    basis: 'seed',
    quotes: [seed('Endpoint enabled', 'Device is enabled.')],
  },
  {
    region: 'endpoint',
    events: ['ENDPOINT_DISABLED'],
    rule: 'Endpoint disabled (43): → DISABLED.',
    basis: 'seed',
    quotes: [seed('Endpoint disabled', 'Device is disabled.')],
  },
  {
    region: 'block',
    events: ['ENDPOINT_BLOCKED'],
    rule: "Endpoint blocked (11): the endpoint's own block → BLOCKED.",
    basis: 'seed',
    quotes: [seed('Endpoint blocked', 'Device is blocked from all services after exceeding device policies (e.g., reaching its traffic limit).')],
  },
  {
    region: 'block',
    events: ['SESSION_CREATED', 'ENDPOINT_ENABLED'],
    rule: "An accepted Create PDP Context (3) or Endpoint enabled (42) clears the endpoint's block.",
    basis: 'inference',
    quotes: [seed('Endpoint blocked', 'Changing the policies will unblock the device.')],
    note: 'The seeds name no unblock event. An accepted data session proves service was granted again; enabling an endpoint is the policy change a user makes.',
  },
  {
    region: 'organisation',
    events: ['ORGANISATION_BLOCKED'],
    rule: 'Organisation blocked (12): the organisation → BLOCKED; every endpoint of it is blocked, including endpoints first seen later.',
    basis: 'seed',
    quotes: [
      seed(
        'Organisation blocked',
        'The organization is blocked after exceeding the monthly cost limit (defined by emnify) or exceeding their prepaid balance (if not set up to be postpaid).',
      ),
    ],
    note: 'An Organisation blocked record of an endpoint without an organisation id blocks the organisation the endpoint is known to belong to.',
  },
  {
    region: 'organisation',
    events: ['SESSION_CREATED'],
    rule: 'An accepted Create PDP Context (3) of any endpoint of a blocked organisation unblocks the organisation (and so all its endpoints).',
    basis: 'inference',
    quotes: [seed('Endpoint blocked', 'Changing the policies will unblock the device.')],
    note: 'No unblock event exists; service granted to one endpoint of the organisation shows the organisation is no longer blocked.',
  },
  {
    region: 'dataQuota',
    events: ['DATA_QUOTA_ASSIGNED'],
    rule: 'Data quota assigned (56): → ACTIVE (threshold cleared).',
    basis: 'seed',
    quotes: [seed('Data quota assigned', 'New data quota is assigned to a device.')],
  },
  {
    region: 'dataQuota',
    events: ['DATA_QUOTA_THRESHOLD'],
    rule: 'Quota threshold reached (18): → ACTIVE with threshold reached.',
    basis: 'seed',
    quotes: [seed('Quota threshold reached', 'Remaining data quota volume fell below the configured threshold percentage.')],
  },
  {
    region: 'dataQuota',
    events: ['DATA_QUOTA_USED_UP'],
    rule: 'Quota used up (19): → EXHAUSTED.',
    basis: 'seed',
    quotes: [
      seed(
        'Quota used up',
        "Once this happens, the data quota status updates from **Active** to **Exhausted**, and the device won't be able to consume from the data service.",
      ),
    ],
    note: 'The data session it ends arrives as its own event (Delete PDP Context or a Generic disconnect); the quota event itself does not change connectivity.',
  },
  {
    region: 'dataQuota',
    events: ['DATA_QUOTA_EXPIRED'],
    rule: 'Data quota expired (60): → EXPIRED.',
    basis: 'seed',
    quotes: [seed('Data quota expired', 'Active data quota of a device expired and the quota status changed to **Expired**.')],
  },
  {
    region: 'dataQuota',
    events: ['DATA_QUOTA_DELETED'],
    rule: 'Data quota deleted (57): → NONE.',
    basis: 'seed',
    quotes: [seed('Data quota deleted', 'Data quota is deleted from a device.')],
  },
  {
    region: 'smsQuota',
    events: ['SMS_QUOTA_ASSIGNED'],
    rule: 'SMS quota assigned (58): → ACTIVE (threshold cleared).',
    basis: 'seed',
    quotes: [seed('SMS quota assigned', 'New SMS quota is assigned to a device.')],
  },
  {
    region: 'smsQuota',
    events: ['SMS_QUOTA_THRESHOLD'],
    rule: 'SMS quota threshold reached (20): → ACTIVE with threshold reached.',
    basis: 'seed',
    quotes: [seed('SMS quota threshold reached', 'Remaining SMS quota volume fell below the configured threshold percentage.')],
  },
  {
    region: 'smsQuota',
    events: ['SMS_QUOTA_USED_UP'],
    rule: 'SMS quota used up (21): → EXHAUSTED.',
    basis: 'seed',
    quotes: [
      seed(
        'SMS quota used up',
        "Once this happens, the SMS quota status updates from **Active** to **Exhausted**, and the device won't be able to consume from the SMS service.",
      ),
    ],
  },
  {
    region: 'smsQuota',
    events: ['SMS_QUOTA_DELETED'],
    rule: 'SMS quota deleted (59): → NONE.',
    basis: 'seed',
    quotes: [seed('SMS quota deleted', 'SMS quota is deleted from a device.')],
  },
];

/**
 * The rule that governs an event type in a region, if any.
 *
 * @example
 * ruleFor('connectivity', 'PURGE')?.basis // 'seed'
 */
export function ruleFor(region: RuleSource['region'], event: DeviceEventType): RuleSource | undefined {
  return RULE_SOURCES.find((r) => r.region === region && r.events.includes(event));
}

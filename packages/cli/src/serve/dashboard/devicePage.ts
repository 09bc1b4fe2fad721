import type { EndpointState } from '@simfleet/core';
import { eventTypeName } from '@simfleet/engine';
import type { FleetTransition } from '@simfleet/stream';
import { humanDuration } from '../../commands/device.js';
import { html, type SafeHtml } from './html.js';
import { badge, count, DASHBOARD, page, timeTag } from './layout.js';

export interface DeviceInput {
  readonly state: EndpointState;
  readonly stale: boolean;
  /** This endpoint's transitions the server kept, oldest first. */
  readonly transitions: readonly FleetTransition[];
  /** Newest event time applied (what "for how long" is measured to). */
  readonly eventTime: number | null;
  /** Why older changes of this endpoint may be missing, or null when none are. */
  readonly historyCut: string | null;
  /** Where the state and history come from (`FleetReader.source`). */
  readonly source: string;
  /** The catalog type id of an event, when the server still knows it (`TransitionRing.eventTypeOf`). */
  readonly eventTypeOf: (eventId: bigint) => number | undefined;
}

/** One line of the timeline, as `simfleet device` computes it. */
export interface TimelineEntry {
  readonly transition: FleetTransition;
  /** How long `from` lasted, ms; null when it held since before the first change seen. */
  readonly previousLasted: number | null;
  /** What caused it, as `simfleet device` names it: the event type's catalog name, or null when not known here. */
  readonly event: string | null;
}

/**
 * The name a change is shown with: its event's type as the catalog names it (what
 * `simfleet device` prints), `inactivity` for a device that went quiet (no event caused
 * that), null when the type is not known.
 *
 * @example
 * changeCause(t, 1) // 'Update location'
 */
export function changeCause(t: FleetTransition, typeId: number | undefined): string | null {
  if (t.region === 'activity' && t.to === 'STALE') return 'inactivity';
  return typeId === undefined ? null : eventTypeName(typeId);
}

/**
 * The timeline with durations: for each change, how long the region's previous state
 * lasted, measured from that region's previous change (the rule of `simfleet device`).
 *
 * @example
 * deviceTimeline([offlineToAttached, attachedToOnline])[1].previousLasted // ms spent ATTACHED
 */
export function deviceTimeline(
  transitions: readonly FleetTransition[],
  eventTypeOf: (eventId: bigint) => number | undefined = () => undefined,
): TimelineEntry[] {
  const regionSince = new Map<string, number>();
  return transitions.map((t) => {
    const started = regionSince.get(t.region);
    regionSince.set(t.region, t.at);
    return { transition: t, previousLasted: started === undefined ? null : t.at - started, event: changeCause(t, eventTypeOf(t.eventId)) };
  });
}

/**
 * The event column's type name: the catalog name when known, else a dash that says why to
 * assistive technology (`serve --pg` reads changes whose event type the tables do not store,
 * and memory holds it only for the changes it kept).
 *
 * @example
 * eventTypeCell('Update location') // <span class="event-type">Update location</span>
 */
export function eventTypeCell(name: string | null): SafeHtml {
  return name === null
    ? html`<span class="event-type none" role="img" aria-label="event type not known" title="event type not known (not stored with the change)">—</span>`
    : html`<span class="event-type">${name}</span>`;
}

const fact = (label: string, value: SafeHtml | string | number | boolean | null): SafeHtml =>
  html`<div><dt>${label}</dt><dd>${value === null ? html`<span class="none">—</span>` : typeof value === 'boolean' ? (value ? 'yes' : 'no') : value}</dd></div>`;

/**
 * `GET /dashboard/endpoints/:id`: the endpoint's current state and its timeline with
 * durations, from the transitions the server kept since it started.
 *
 * @example
 * devicePage({ state, stale: false, transitions, eventTime, historyCut: null, source: reader.source, eventTypeOf: (id) => ring.eventTypeOf(id) })
 */
export function devicePage(input: DeviceInput): string {
  const { state } = input;
  const timeline = deviceTimeline(input.transitions, input.eventTypeOf);
  const heldFor =
    state.since !== null && input.eventTime !== null && input.eventTime >= state.since ? ` for ${humanDuration(input.eventTime - state.since)}` : '';
  const quota = (q: string | null, threshold: boolean): string | null => (q === null ? null : threshold ? `${q} (threshold reached)` : q);
  const main = html`<p class="crumbs"><a href="${DASHBOARD}/endpoints">Endpoints</a> › ${state.endpointId}</p>
<h1>Endpoint ${state.endpointId}</h1>
<div id="device-state" data-live-region>
<p class="now">Now ${badge(state.status)}${input.stale ? html` ${badge('STALE')}` : ''} · connectivity ${badge(state.connectivity)}${heldFor}${state.since === null ? '' : html` (since ${timeTag(state.since)})`}</p>
<section aria-labelledby="state-h">
<h2 id="state-h">Current state</h2>
<dl class="facts">
${fact('Name', state.name)}
${fact('Status', badge(state.status))}
${fact('Connectivity', badge(state.connectivity))}
${fact('Stale', input.stale)}
${fact('SIM', state.simStatus)}
${fact('Endpoint', state.endpointStatus)}
${fact('Blocked', state.blocked)}
${fact('Organisation', state.organisationId)}
${fact('SIM id', state.simId)}
${fact('ICCID', state.iccid)}
${fact('IMSI', state.imsi)}
${fact('IMEI', state.imei)}
${fact('IP address', state.ipAddress)}
${fact('Operator', state.operator === null ? null : [state.operator.name, state.operator.country?.toUpperCase(), state.operator.mcc === null ? null : `${state.operator.mcc}/${state.operator.mnc ?? '?'}`].filter((v) => v !== null && v !== undefined).join(' · '))}
${fact('RAT type', state.ratType)}
${fact('APN', state.apn)}
${fact('Data quota', quota(state.dataQuota, state.dataQuotaThresholdReached))}
${fact('SMS quota', quota(state.smsQuota, state.smsQuotaThresholdReached))}
${fact('Attaches', count(state.attaches))}
${fact('Sessions', count(state.sessions))}
${fact('Rejections', count(state.rejections))}
${fact('Last rejection', state.lastRejectionReason)}
${fact('Last event', state.lastEventId === null ? null : html`#${String(state.lastEventId)} at ${timeTag(state.lastEventAt)}`)}
</dl>
</section>
<section aria-labelledby="timeline-h">
<h2 id="timeline-h">Timeline</h2>
<p class="timeline-line">endpoint ${state.endpointId}: ${count(timeline.length)} state changes${input.source.startsWith('PostgreSQL') ? '' : ' seen by this server'}, now ${state.status}${input.historyCut === null ? '' : ` (${input.historyCut})`}</p>
${
  timeline.length === 0
    ? html`<p class="none">No state change of this endpoint since the server started (a checkpoint brings state, not history).</p>`
    : html`<div class="table-scroll" tabindex="0" role="region" aria-labelledby="timeline-h"><table class="timeline">
<thead><tr><th scope="col">At (event time)</th><th scope="col">Region</th><th scope="col">Change</th><th scope="col">Event</th><th scope="col">Previous state lasted</th></tr></thead>
<tbody>${timeline.map(
        (e) =>
          html`<tr><td>${timeTag(e.transition.at)}</td><td>${e.transition.region}</td><td class="change">${badge(e.transition.from)} <span aria-label="to">→</span> ${badge(e.transition.to)}</td><td class="event">${eventTypeCell(e.event)} <span class="mono">#${String(e.transition.eventId)}</span></td><td>${e.previousLasted === null ? 'since first seen' : `after ${humanDuration(e.previousLasted)}`}</td></tr>`,
      )}</tbody>
</table></div>`
}
</section>
</div>`;
  return page(
    { title: `Endpoint ${state.endpointId}`, current: 'endpoints', signedIn: true, live: `endpoint=${state.endpointId}`, source: input.source },
    main,
  );
}

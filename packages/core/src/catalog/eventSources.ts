/**
 * `event_source` and `event_severity` catalogs (emnify docs `docs/events/index.md`,
 * 1NCE's table). Records spell the names differently (`Warn`, `WARN`, `WARNING`), so
 * simfleet always matches on the id and uses these names for display only.
 */

export interface CodeEntry {
  readonly id: number;
  readonly name: string;
}

/** Where an event comes from. Rejections of Create PDP Context come from Policy Control. */
export const EVENT_SOURCES = [
  { id: 0, name: 'Network' },
  { id: 1, name: 'Policy Control' },
  { id: 2, name: 'API' },
] as const satisfies readonly CodeEntry[];

/** How severe an event is. */
export const EVENT_SEVERITIES = [
  { id: 0, name: 'Info' },
  { id: 1, name: 'Warn' },
  { id: 2, name: 'Critical' },
] as const satisfies readonly CodeEntry[];

/** SIM status ids as the emnify API reports them (the snapshot uses the statechart's names). */
export const EMNIFY_SIM_STATUSES = [
  { id: 0, name: 'Issued' },
  { id: 1, name: 'Activated' },
  { id: 2, name: 'Suspended' },
  { id: 3, name: 'Deleted' },
  { id: 4, name: 'Factory Test' },
] as const satisfies readonly CodeEntry[];

/** Endpoint status ids as the emnify API reports them. */
export const EMNIFY_ENDPOINT_STATUSES = [
  { id: 0, name: 'Enabled' },
  { id: 1, name: 'Disabled' },
  { id: 2, name: 'Deleted' },
] as const satisfies readonly CodeEntry[];

/** 3GPP RAT type codes seen in `pdp_context.rat_type`; other codes are kept as numbers. */
export const RAT_TYPES = [
  { id: 1, name: 'UTRAN (3G)' },
  { id: 2, name: 'GERAN (2G)' },
  { id: 5, name: 'HSPA+' },
  { id: 6, name: 'E-UTRAN (LTE)' },
  { id: 8, name: 'NB-IoT' },
  { id: 9, name: 'LTE-M' },
] as const satisfies readonly CodeEntry[];

/** Display name of a code in one of the catalogs above, or `undefined`. */
export function codeName(catalog: readonly CodeEntry[], id: number): string | undefined {
  for (const entry of catalog) if (entry.id === id) return entry.name;
  return undefined;
}

/**
 * The enums of the snapshot's JSON Schema (`packages/cli/schema/snapshot-v1.schema.json`),
 * read from the machine like the docs: every state each region can reach (the compiled
 * tables), put through the same view (`endpointStateFromRegions`) that writes snapshot
 * entries. A region state added to the machine reaches the schema with `pnpm run docs`;
 * a test fails while the committed schema differs.
 */
import { REJECTION_REASON_CODES } from '../catalog/rejectionReasons.js';
import { ENDPOINT_STATUSES, type EndpointState, endpointStateFromRegions, noEndpointFacts, type RegionStates } from '../machine/endpointState.js';
import { type CompiledMachine, getCompiledMachine } from '../reducer/compileMachine.js';

type EnumValue = string | null;

const NO_FACTS = noEndpointFacts(0);

/** Distinct values in first-seen order, `null` last (as the schema writes them). */
function distinct(values: Iterable<EnumValue>): EnumValue[] {
  const seen = [...new Set(values)];
  return [...seen.filter((v) => v !== null), ...(seen.includes(null) ? [null] : [])];
}

/**
 * Each enum field of a snapshot endpoint entry and the values it can take.
 *
 * @example
 * snapshotSchemaEnums().connectivity // ['OFFLINE', 'ATTACHED', 'ONLINE']
 */
export function snapshotSchemaEnums(compiled: CompiledMachine = getCompiledMachine()): Readonly<Record<string, readonly EnumValue[]>> {
  const regions = {
    connectivity: compiled.connectivity.states,
    sim: compiled.sim.states,
    endpoint: compiled.endpoint.states,
    block: compiled.block.states,
    dataQuota: compiled.dataQuota.states,
    smsQuota: compiled.smsQuota.states,
  } as const;
  const initial = Object.fromEntries(Object.entries(regions).map(([r, states]) => [r, states[0]])) as unknown as RegionStates;
  /** The view of `field` for every state of `region`, the other regions at their initial state. */
  const viewOf = (region: keyof typeof regions, field: keyof EndpointState): EnumValue[] =>
    distinct(regions[region].map((state) => endpointStateFromRegions({ ...initial, [region]: state }, NO_FACTS, false)[field] as EnumValue));
  // The effective status depends on four regions together: every combination, in precedence order.
  const statuses = new Set<string>();
  for (const connectivity of regions.connectivity)
    for (const sim of regions.sim)
      for (const endpoint of regions.endpoint)
        for (const block of regions.block) {
          const view = endpointStateFromRegions({ ...initial, connectivity, sim, endpoint, block } as RegionStates, NO_FACTS, false);
          statuses.add(view.status);
        }
  return {
    status: ENDPOINT_STATUSES.filter((s) => statuses.has(s)),
    connectivity: viewOf('connectivity', 'connectivity'),
    simStatus: viewOf('sim', 'simStatus'),
    endpointStatus: viewOf('endpoint', 'endpointStatus'),
    dataQuota: viewOf('dataQuota', 'dataQuota'),
    smsQuota: viewOf('smsQuota', 'smsQuota'),
    lastRejectionReason: [...REJECTION_REASON_CODES, null],
  };
}

/**
 * The schema text with every enum of `snapshotSchemaEnums()` written in place (the rest of
 * the hand-written schema is kept byte for byte). Throws when a field is missing.
 *
 * @example
 * writeFileSync(path, renderSnapshotSchemaEnums(readFileSync(path, 'utf8')));
 */
export function renderSnapshotSchemaEnums(schemaText: string, enums = snapshotSchemaEnums()): string {
  let out = schemaText;
  for (const [field, values] of Object.entries(enums)) {
    const pattern = new RegExp(`("${field}": \\{ "enum": )\\[[^\\]]*\\]`);
    if (!pattern.test(out)) throw new Error(`the snapshot schema has no "${field}": { "enum": [...] }`);
    out = out.replace(pattern, (_, head: string) => `${head}[${values.map((v) => JSON.stringify(v)).join(', ')}]`);
  }
  return out;
}

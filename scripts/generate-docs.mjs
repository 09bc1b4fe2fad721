// Regenerates the docs that are derived from code (the event catalog, the statechart and its
// diagrams as SVG, the enums of the snapshot's JSON Schema).
// Run `pnpm run docs`; tests fail when a generated file is stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderEventsMarkdown, renderSnapshotSchemaEnums, renderStateMachineMarkdown, renderStateMachineSvgs } from '../packages/core/dist/docs/index.js';

const SCHEMA = 'packages/cli/schema/snapshot-v1.schema.json';

const outputs = {
  'docs/events.md': renderEventsMarkdown(),
  'docs/state-machine.md': renderStateMachineMarkdown(),
  ...Object.fromEntries(Object.entries(renderStateMachineSvgs()).map(([path, svg]) => [`docs/${path}`, svg])),
  // The snapshot schema's enums come from the machine; the rest of it is written by hand.
  [SCHEMA]: renderSnapshotSchemaEnums(readFileSync(new URL(`../${SCHEMA}`, import.meta.url), 'utf8')),
};
mkdirSync(new URL('../docs/state-machine/', import.meta.url), { recursive: true });
for (const [path, text] of Object.entries(outputs)) {
  writeFileSync(new URL(`../${path}`, import.meta.url), text);
  console.log(`wrote ${path}`);
}

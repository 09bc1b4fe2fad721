/**
 * @simfleet/core/docs — the generated documentation: docs/events.md, docs/state-machine.md
 * and its SVG diagrams, and the snapshot schema's enums, all rendered from the catalog and
 * the machines (`pnpm run docs` writes them; tests fail when the committed files differ).
 */
export { renderEventsMarkdown } from './eventsMarkdown.js';
export { renderStateMachineMarkdown } from './stateMachineMarkdown.js';
export { DIAGRAM_REGIONS, renderRegionSvg, renderStateMachineSvgs } from './stateMachineSvg.js';
export { renderSnapshotSchemaEnums, snapshotSchemaEnums } from './snapshotSchemaEnums.js';

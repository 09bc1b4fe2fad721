// Regenerates the docs that are derived from code (the event catalog, the statechart and its
// diagrams as SVG).
// Run `pnpm run docs`; tests fail when a generated file is stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderEventsMarkdown, renderStateMachineMarkdown, renderStateMachineSvgs } from '../packages/core/dist/index.js';

const outputs = {
  'docs/events.md': renderEventsMarkdown(),
  'docs/state-machine.md': renderStateMachineMarkdown(),
  ...Object.fromEntries(Object.entries(renderStateMachineSvgs()).map(([path, svg]) => [`docs/${path}`, svg])),
};
mkdirSync(new URL('../docs/state-machine/', import.meta.url), { recursive: true });
for (const [path, text] of Object.entries(outputs)) {
  writeFileSync(new URL(`../${path}`, import.meta.url), text);
  console.log(`wrote ${path}`);
}

// Regenerates the docs that are derived from code (the event catalog, the statechart).
// Run `pnpm docs`; tests fail when a generated file is stale.
import { writeFileSync } from 'node:fs';
import { renderEventsMarkdown, renderStateMachineMarkdown } from '../packages/core/dist/index.js';

const outputs = {
  'docs/events.md': renderEventsMarkdown(),
  'docs/state-machine.md': renderStateMachineMarkdown(),
};
for (const [path, text] of Object.entries(outputs)) {
  writeFileSync(new URL(`../${path}`, import.meta.url), text);
  console.log(`wrote ${path}`);
}

/**
 * Renders each region of the statecharts as a standalone SVG (docs/state-machine/*.svg),
 * from the same compiled tables as the Mermaid diagrams of docs/state-machine.md, so the
 * pictures show on any Markdown viewer and offline, with no renderer to install.
 *
 * The layout is an arc diagram: the region's states in a column (in the machine's order,
 * the initial state first), each changing (from, to) pair one arc labelled with the events
 * that take it — arcs going down on the right, arcs going up on the left, nested by span
 * so that no arc crosses another's label. Output is deterministic: a test compares the
 * committed files with a fresh render.
 */
import { DEVICE_EVENT_TYPES, type DeviceEventType } from '../machine/deviceEvent.js';
import { DEVICE_REGIONS, deviceMachine } from '../machine/deviceMachine.js';
import { type CompiledMachine, getCompiledMachine, type RegionTable } from '../reducer/compileMachine.js';

const FONT = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
/** Width of one character of the 11 px monospace font (state names). */
const CHAR = 6.7;
/** Width of one character of the 10 px monospace font (event labels). */
const LABEL_CHAR = 6.1;
const LINE = 12;
const BOX_H = 30;
const ROW = 96;
const TOP = 64;
/** Horizontal reach of the innermost arc, and the gap between an arc and the label it passes. */
const ARC_FIRST = 34;
const ARC_GAP = 12;

/** One arc: every event that takes `from` to `to`. */
interface Arc {
  readonly from: number;
  readonly to: number;
  readonly events: readonly string[];
}

/** The prefix every event name of the arcs shares, up to an underscore ('' when none). */
function sharedPrefix(arcs: readonly Arc[]): string {
  const names = arcs.flatMap((a) => a.events);
  if (names.length < 2) return '';
  let prefix = names[0] ?? '';
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.slice(0, prefix.lastIndexOf('_') + 1);
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The arcs of a region: one per (from, to) pair that some event changes, in table order. */
function arcsOf(table: RegionTable, eventCount: number): Arc[] {
  const arcs = new Map<string, { from: number; to: number; events: DeviceEventType[] }>();
  table.states.forEach((_, s) => {
    DEVICE_EVENT_TYPES.forEach((event, e) => {
      const to = table.next[s * eventCount + e] as number;
      if (to === s) return;
      const key = `${s}>${to}`;
      const arc = arcs.get(key) ?? { from: s, to, events: [] };
      arc.events.push(event);
      arcs.set(key, arc);
    });
  });
  return [...arcs.values()];
}

/**
 * How far each arc reaches out from the boxes. Per side, shorter spans go inside; an arc
 * passes outside every arc (and its label) that shares part of its vertical range, so no
 * arc crosses a label.
 */
function reaches(arcs: readonly Arc[], labelWidth: (arc: Arc) => number): Map<Arc, number> {
  const reach = new Map<Arc, number>();
  for (const down of [true, false]) {
    const placed: { lo: number; hi: number; outer: number }[] = [];
    const side = arcs
      .filter((a) => a.to > a.from === down)
      .sort((a, b) => Math.abs(a.to - a.from) - Math.abs(b.to - b.from) || Math.min(a.from, a.to) - Math.min(b.from, b.to) || a.from - b.from);
    for (const arc of side) {
      const lo = Math.min(arc.from, arc.to);
      const hi = Math.max(arc.from, arc.to);
      let r = ARC_FIRST;
      for (const p of placed) if (p.lo < hi && lo < p.hi) r = Math.max(r, p.outer + ARC_GAP);
      reach.set(arc, r);
      placed.push({ lo, hi, outer: r + labelWidth(arc) });
    }
  }
  return reach;
}

/**
 * One region's diagram as an SVG document.
 *
 * @example
 * writeFileSync('docs/state-machine/connectivity.svg', renderRegionSvg('connectivity', compiled.connectivity, compiled.eventCount, []));
 */
export function renderRegionSvg(name: string, table: RegionTable, eventCount: number, finals: readonly string[]): string {
  // Labels drop the prefix all of a region's events share (DATA_QUOTA_…): the title says it.
  const full = arcsOf(table, eventCount);
  const prefix = sharedPrefix(full);
  const arcs = full.map((a) => ({ ...a, events: a.events.map((e) => e.slice(prefix.length)) }));
  const boxW = Math.max(...table.states.map((s) => s.length)) * CHAR + 28;
  const labelW = (arc: Arc): number => Math.max(...arc.events.map((e) => e.length)) * LABEL_CHAR + 8;
  const reachOf = reaches(arcs, labelW);
  const reach = (arc: Arc): number => reachOf.get(arc) ?? ARC_FIRST;
  const leftArcs = arcs.filter((a) => a.to < a.from);
  const rightArcs = arcs.filter((a) => a.to > a.from);
  const leftSpace = Math.max(40, ...leftArcs.map((a) => reach(a) + labelW(a) + 8));
  const rightSpace = Math.max(40, ...rightArcs.map((a) => reach(a) + labelW(a) + 8));
  const boxX = leftSpace;
  const width = leftSpace + boxW + rightSpace;
  const height = TOP + (table.states.length - 1) * ROW + BOX_H + 28;
  const centreY = (s: number): number => TOP + s * ROW + BOX_H / 2;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" viewBox="0 0 ${fmt(width)} ${fmt(height)}" role="img" aria-label="${escapeXml(name)} region state diagram">`,
    `<title>${escapeXml(name)}: states and the events that change them</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#444"/></marker></defs>',
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-family="${FONT}" font-size="13" font-weight="bold" fill="#222">${escapeXml(name)}${prefix === '' ? '' : `<tspan font-size="10" font-weight="normal" fill="#555"> (events ${escapeXml(prefix)}…)</tspan>`}</text>`,
  ];
  // The initial state: a dot above the first box.
  const cx = boxX + boxW / 2;
  out.push(
    `<circle cx="${fmt(cx)}" cy="${fmt(TOP - 24)}" r="5" fill="#222"/>`,
    `<path d="M${fmt(cx)} ${fmt(TOP - 19)}V${fmt(TOP - 1)}" stroke="#444" fill="none" marker-end="url(#arrow)"/>`,
  );
  for (const arc of arcs) {
    const down = arc.to > arc.from;
    const x = down ? boxX + boxW : boxX;
    const dir = down ? 1 : -1;
    // Leave below the centre going down, above it going up: in and out arrows do not meet.
    const y0 = centreY(arc.from) + 6 * dir;
    const y1 = centreY(arc.to) - 6 * dir;
    const r = reach(arc);
    // A cubic with both control points at x ± 4r/3 reaches exactly r at its middle.
    const c = x + (dir * 4 * r) / 3;
    out.push(
      `<path d="M${fmt(x)} ${fmt(y0)}C${fmt(c)} ${fmt(y0)} ${fmt(c)} ${fmt(y1)} ${fmt(x)} ${fmt(y1)}" stroke="#444" fill="none" marker-end="url(#arrow)"/>`,
    );
    const lx = x + dir * (r + 4);
    const ly = (y0 + y1) / 2 - ((arc.events.length - 1) * LINE) / 2;
    const w = labelW(arc);
    out.push(
      `<rect x="${fmt(down ? lx - 2 : lx - w + 2)}" y="${fmt(ly - 10)}" width="${fmt(w)}" height="${fmt(arc.events.length * LINE + 2)}" fill="#fff" fill-opacity="0.85"/>`,
      `<text font-family="${FONT}" font-size="10" fill="#333" text-anchor="${down ? 'start' : 'end'}">${arc.events
        .map((e, i) => `<tspan x="${fmt(lx + (down ? 2 : -2))}" y="${fmt(ly + i * LINE)}">${escapeXml(e)}</tspan>`)
        .join('')}</text>`,
    );
  }
  table.states.forEach((state, s) => {
    const y = TOP + s * ROW;
    out.push(`<rect x="${fmt(boxX)}" y="${fmt(y)}" width="${fmt(boxW)}" height="${BOX_H}" rx="8" fill="#eef3fb" stroke="#35507a"/>`);
    if (finals.includes(state)) {
      out.push(`<rect x="${fmt(boxX + 3)}" y="${fmt(y + 3)}" width="${fmt(boxW - 6)}" height="${BOX_H - 6}" rx="6" fill="none" stroke="#35507a"/>`);
    }
    out.push(
      `<text x="${fmt(boxX + boxW / 2)}" y="${fmt(y + BOX_H / 2 + 4)}" font-family="${FONT}" font-size="11" text-anchor="middle" fill="#1b2a44">${escapeXml(state)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The `final` states of a device region, read from the machine definition. */
function finalStates(region: string): string[] {
  const node = deviceMachine.root.states[region];
  return Object.values(node?.states ?? {})
    .filter((state) => state.type === 'final')
    .map((state) => state.key);
}

/** The regions drawn, in the order of docs/state-machine.md. */
export const DIAGRAM_REGIONS = [...DEVICE_REGIONS, 'organisation'] as const;

/**
 * Every region's SVG, keyed by its file path under `docs/` (`state-machine/<region>.svg`).
 *
 * @example
 * for (const [path, svg] of Object.entries(renderStateMachineSvgs())) writeFileSync(`docs/${path}`, svg);
 */
export function renderStateMachineSvgs(compiled: CompiledMachine = getCompiledMachine()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const region of DEVICE_REGIONS) {
    out[`state-machine/${region}.svg`] = renderRegionSvg(region, compiled[region], compiled.eventCount, finalStates(region));
  }
  out['state-machine/organisation.svg'] = renderRegionSvg('organisation', compiled.organisation, compiled.eventCount, []);
  return out;
}

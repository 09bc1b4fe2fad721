import type { FetchCounts } from './fetchEvents.js';

/** Live progress of a fetch on a terminal. */
export interface FetchProgress {
  update(counts: Readonly<FetchCounts>, page: { readonly number: number; readonly totalPages: number | null }): void;
  /** Clears the line (before other output, and at the end). */
  clear(): void;
}

const REFRESH_MS = 100;
const BAR_WIDTH = 20;

/**
 * A one-line progress display (pages, events, duplicates, sweeps, and a bar of the
 * current sweep's pages against `X-Total-Pages` when known) when `stream` is a terminal
 * and not `quiet`; otherwise a no-op, so logs and pipes never see control characters.
 *
 * @example
 * const progress = createFetchProgress(process.stderr, { quiet: false });
 * progress.update(counts);
 */
export function createFetchProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, options: { quiet: boolean }): FetchProgress {
  let shown = false;
  let last = 0;
  const active = !options.quiet && stream.isTTY === true;
  return {
    update(counts, { number: page, totalPages: total }) {
      if (!active) return;
      const now = performance.now();
      if (now - last < REFRESH_MS) return;
      last = now;
      let bar = '';
      if (total !== null && total > 0) {
        const filled = Math.min(BAR_WIDTH, Math.round((BAR_WIDTH * page) / total));
        bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] page ${page}/${total} · `;
      }
      stream.write(
        `\r\x1b[2K${bar}pages ${counts.pages} · events ${counts.delivered.toLocaleString('en-US')} · duplicates ${counts.duplicates} · sweep ${counts.sweeps}`,
      );
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

import { Duration } from 'luxon';

/** Live progress on stderr: records, MB, events/s and ETA. */
export interface Progress {
  /** Records read so far, input bytes consumed so far and (gzip) the bytes they decompressed to. */
  update(records: number, bytes: number, decompressed?: number): void;
  /** Clears the progress line. */
  done(): void;
}

const NO_PROGRESS: Progress = { update() {}, done() {} };
const REFRESH_MS = 200;

/**
 * A progress line when `stream` is a terminal and the user did not ask for quiet;
 * otherwise a no-op, so logs and pipes never see control characters.
 *
 * @example
 * const progress = createProgress(process.stderr, { quiet: false, totalBytes: 1e9 });
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, options: { quiet: boolean; totalBytes: number | null }): Progress {
  if (options.quiet || stream.isTTY !== true) return NO_PROGRESS;
  const started = performance.now();
  let last = 0;
  let shown = false;
  return {
    update(records, bytes, decompressed) {
      const now = performance.now();
      if (now - last < REFRESH_MS) return;
      last = now;
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? records / seconds : 0;
      let eta = '';
      if (options.totalBytes !== null && options.totalBytes > 0 && bytes > 0) {
        const remaining = (seconds * (options.totalBytes - bytes)) / bytes;
        eta = ` · ETA ${Duration.fromMillis(Math.max(0, remaining) * 1000).toFormat('m:ss')}`;
        const pct = Math.min(100, (100 * bytes) / options.totalBytes);
        eta = ` · ${pct.toFixed(0)}%${eta}`;
      }
      // Decompressed bytes too: a gzip of blank lines makes no records, but the bar still moves.
      const inflated = decompressed !== undefined && decompressed > bytes ? ` (${(decompressed / 1e6).toFixed(1)} MB decompressed)` : '';
      stream.write(`\r\x1b[2Krecords ${records.toLocaleString('en-US')} · ${(bytes / 1e6).toFixed(1)} MB${inflated} · ${formatRate(rate)} ev/s${eta}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)}M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k`;
  return rate.toFixed(0);
}

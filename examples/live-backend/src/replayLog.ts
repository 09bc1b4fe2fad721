import { decodeEventText } from '@simfleet/core';

export interface ReplayLogOptions {
  /** Base URL of a running `simfleet serve`. */
  readonly url: string;
  readonly token: string;
  /** NDJSON lines, in log order. */
  readonly lines: AsyncIterable<string> | Iterable<string>;
  /** Event time runs this many times faster than real time; `Infinity` posts as fast as the server acknowledges. */
  readonly speed: number;
  /** Most lines per POST (default 500). */
  readonly maxLinesPerPost?: number;
  /** Called with the server's reply to every POST. */
  readonly onReply?: (reply: PostReply, status: number) => void;
}

/** What `POST /events` answers. */
export interface PostReply {
  readonly accepted: number;
  readonly rejected: readonly { index: number | null; line: number | null; code: string; message: string }[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Posts a log to `POST /events` as NDJSON, paced by the records' event time: a record
 * `t` ms after the first one is sent `t / speed` ms after the start. Records due at
 * the same moment travel in one request, as Data Streamer batches them. The next POST
 * starts only after the previous one was acknowledged: the server's pace is the limit.
 *
 * @example
 * await replayLog({ url: server.url, token, lines: readLines('events.ndjson'), speed: 600 });
 */
export async function replayLog(options: ReplayLogOptions): Promise<{ posted: number; requests: number }> {
  const maxLines = options.maxLinesPerPost ?? 500;
  const started = Date.now();
  let firstTime: number | undefined;
  let newest = Number.NEGATIVE_INFINITY;
  let batch: string[] = [];
  let batchDue = 0;
  let posted = 0;
  let requests = 0;

  const post = async (): Promise<void> => {
    if (batch.length === 0) return;
    const wait = batchDue - Date.now();
    if (wait > 0) await sleep(wait);
    const body = `${batch.join('\n')}\n`;
    posted += batch.length;
    batch = [];
    requests += 1;
    const res = await fetch(`${options.url}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    options.onReply?.((await res.json()) as PostReply, res.status);
  };

  for await (const line of options.lines) {
    if (line.trim() === '') continue;
    const decoded = decodeEventText(line);
    // Undecodable lines ride along with the current batch: the server reports them.
    if (decoded.ok) {
      const time = decoded.value.timestamp;
      firstTime ??= time;
      // A log is not always sorted: never pace backwards.
      newest = Math.max(newest, time);
      const due = Number.isFinite(options.speed) ? started + (newest - firstTime) / options.speed : 0;
      if (batch.length > 0 && (due > batchDue + 10 || batch.length >= maxLines)) await post();
      if (batch.length === 0) batchDue = due;
    }
    batch.push(line);
  }
  await post();
  return { posted, requests };
}

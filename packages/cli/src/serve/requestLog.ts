/**
 * Structured logs of `simfleet serve`: one line per request and one per lifecycle event
 * (listening, stopping, stopped). JSON lines when the stream is not a terminal (a log
 * collector reads them), short readable lines when it is.
 */

/** Fields of one log line besides its time and event name. */
export type LogFields = Readonly<Record<string, string | number | boolean | null>>;

export interface ServeLogger {
  /** One served request. */
  request(fields: { readonly method: string; readonly path: string; readonly status: number; readonly ms: number }): void;
  /** A lifecycle event of the service. */
  lifecycle(event: string, fields?: LogFields): void;
}

/**
 * A logger writing to `stream`; `json` defaults to "the stream is not a TTY".
 *
 * @example
 * const logger = createServeLogger(process.stderr);
 * logger.lifecycle('listening', { url: 'http://127.0.0.1:8080' });
 * // {"time":"2026-12-01T20:00:00.000Z","event":"listening","url":"http://127.0.0.1:8080"}
 */
export function createServeLogger(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  options: { readonly json?: boolean; readonly now?: () => Date } = {},
): ServeLogger {
  const json = options.json ?? stream.isTTY !== true;
  const now = options.now ?? (() => new Date());
  const write = (event: string, fields: LogFields, human: string): void => {
    const time = now().toISOString();
    stream.write(json ? `${JSON.stringify({ time, event, ...fields })}\n` : `${time} ${human}\n`);
  };
  return {
    request(f) {
      const ms = Math.round(f.ms * 100) / 100;
      write('request', { method: f.method, path: f.path, status: f.status, ms }, `${f.method} ${f.path} ${f.status} ${ms} ms`);
    },
    lifecycle(event, fields = {}) {
      const details = Object.entries(fields)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      write(event, fields, details === '' ? event : `${event} ${details}`);
    },
  };
}

import { classifyEvent, type DecodeError, type DecodeResult, decodeEvent, decodeEventText, type EmnifyEvent } from '@simfleet/core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { DecodedEvent } from '../decodedEvent.js';
import { type Sink, sinkFunction } from '../sink.js';

/** A record the decoder refused, with where it was in the input. */
export interface DecodeReject {
  /** 0-based position of the input item in the stream (blank lines included). */
  readonly index: number;
  /** 1-based line number when the input was a text line, else `null`. */
  readonly line: number | null;
  /** The input as received (the text line, or the JSON value). */
  readonly input: unknown;
  /** Why: a stable `code`, a JSON `path`, a message a person can act on. */
  readonly error: DecodeError;
  /** How many rejects this subscription has reported so far, this one included. */
  readonly count: number;
}

export interface DecodeEventsOptions {
  /** Receives every record that does not decode (required: nothing is dropped unseen). */
  readonly rejects: Sink<DecodeReject>;
}

/**
 * Decodes raw records into typed events. A `string` item is one NDJSON line (numbered
 * from 1 in arrival order, blank lines skipped but counted, so `line` matches the
 * file); any other item is a JSON value as `JSON.parse` (or lossless-json) returned it.
 * Each record is decoded and classified (`decodeEvent` / `decodeEventText`, then
 * `classifyEvent`); a record that fails goes to `rejects` with its reason.
 *
 * @example
 * fromReadable(process.stdin).pipe(decodeEvents({ rejects: (r) => console.error(r.line, r.error.message) }))
 */
export function decodeEvents(options: DecodeEventsOptions): OperatorFunction<unknown, DecodedEvent> {
  const onReject = sinkFunction(options.rejects);
  return (source) =>
    new Observable<DecodedEvent>((subscriber) => {
      let index = -1;
      let line = 0;
      let rejected = 0;
      return source.subscribe({
        next(input) {
          index += 1;
          let result: DecodeResult<EmnifyEvent>;
          let at: number | null = null;
          if (typeof input === 'string') {
            line += 1;
            at = line;
            const text = line === 1 && input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
            if (text.trim() === '') return;
            result = decodeEventText(text, { line });
          } else {
            result = decodeEvent(input);
          }
          if (!result.ok) {
            rejected += 1;
            onReject({ index, line: at, input, error: result.error, count: rejected });
            return;
          }
          subscriber.next(toDecodedEvent(result.value));
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * The pipeline item for one decoded record: its statechart event plus the record.
 *
 * @example
 * const r = decodeEvent(json); if (r.ok) subject.next(toDecodedEvent(r.value));
 */
export function toDecodedEvent(record: EmnifyEvent): DecodedEvent {
  const device = classifyEvent(record);
  return { type: device.type, at: device.at, eventId: device.eventId, endpointId: device.endpointId, observation: device.observation, record };
}

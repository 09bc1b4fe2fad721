/**
 * Side channels: where an operator sends what it does not pass downstream.
 *
 * simfleet's operators never drop an item silently. What they hold back (undecodable
 * records, events too late to order, retransmitted duplicates) goes to a `Sink` the
 * caller chose: a plain callback, or any observer, typically a `Subject` that the
 * application subscribes to. The sink runs synchronously, before the operator handles
 * its next input, so a sink that counts or logs sees items in input order.
 */

/** A callback or an observer (`Subject`, `Subscriber`) receiving side-channel items. */
export type Sink<T> = ((value: T) => void) | { next(value: T): void };

/**
 * The sink as a plain function.
 *
 * @example
 * const rejects = new Subject<DecodeReject>();
 * sinkFunction(rejects)(reject); // same as rejects.next(reject)
 */
export function sinkFunction<T>(sink: Sink<T>): (value: T) => void {
  if (typeof sink === 'function') return sink;
  return (value: T): void => sink.next(value);
}

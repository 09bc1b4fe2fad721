import { Observable } from 'rxjs';

/**
 * An Observable that pulls from an async iterable one item at a time: the next item is
 * requested only after the previous one has been handed to the subscriber (and so, in
 * a synchronous pipeline, fully processed). This is how simfleet's sources apply
 * backpressure: a producer behind an async iterator (a file, a socket, a paged API
 * client) is never asked for more than one item ahead. Unsubscribing calls the
 * iterator's `return()`.
 *
 * @example
 * fromAsyncIterable(eventApiPages(client)).pipe(concatAll(), decodeEvents({ rejects }))
 */
export function fromAsyncIterable<T>(iterable: AsyncIterable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const iterator = iterable[Symbol.asyncIterator]();
    let stopped = false;
    const pump = async (): Promise<void> => {
      try {
        for (;;) {
          const step = await iterator.next();
          if (stopped) return;
          if (step.done === true) {
            subscriber.complete();
            return;
          }
          subscriber.next(step.value);
          if (subscriber.closed) return;
        }
      } catch (err: unknown) {
        if (!stopped) subscriber.error(err);
      }
    };
    void pump();
    return () => {
      if (stopped) return;
      stopped = true;
      // `return()` may itself reject (a destroyed stream): the subscriber is gone, ignore it.
      iterator.return?.().catch(() => undefined);
    };
  });
}

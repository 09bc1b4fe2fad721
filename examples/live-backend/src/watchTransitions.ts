/** One state change as `GET /transitions` sends it. */
export interface TransitionEvent {
  readonly endpointId: number;
  readonly region: string;
  readonly from: string;
  readonly to: string;
  /** ISO-8601 UTC. */
  readonly at: string;
  /** The event id, exact: kept as the digits the server sent (they can exceed 2^53). */
  readonly eventId: string;
}

/**
 * Subscribes to a server's transitions (Server-Sent Events over `fetch`) and calls
 * `onTransition` for each. Resolves once the stream is open; `close()` ends it.
 *
 * @example
 * const watch = await watchTransitions(server.url, token, (t) => console.log(t.endpointId, t.to));
 */
export async function watchTransitions(
  url: string,
  token: string,
  onTransition: (t: TransitionEvent) => void,
  query = '',
): Promise<{ close(): void; done: Promise<void> }> {
  const abort = new AbortController();
  const res = await fetch(`${url}/transitions${query}`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  if (!res.ok || res.body === null) throw new Error(`GET /transitions answered ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const read = async (): Promise<void> => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          // Keep the event id's digits: quote the bare number before JSON.parse sees it.
          if (data !== undefined) onTransition(JSON.parse(data.slice(6).replace(/"eventId":(\d+)/, '"eventId":"$1"')) as TransitionEvent);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch (err: unknown) {
      if (!abort.signal.aborted) throw err;
    }
  };
  return { close: () => abort.abort(), done: read() };
}

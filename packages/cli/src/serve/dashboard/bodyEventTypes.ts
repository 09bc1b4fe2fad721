/** The catalog type id of an event of the batch being ingested, by event id (undefined when not known). */
export type EventTypeLookup = (eventId: bigint) => number | undefined;

/** What `bodyEventTypes` reads of a decoded body (`BodyRows`). */
export interface TypedRows {
  readonly rows: { readonly length: number; readonly idHi: Uint32Array; readonly idLo: Uint32Array };
  typeIdOf(row: number): number | undefined;
}

/**
 * The event types of one decoded body, for the dashboard's `ingesting` hook. Call it before
 * the ingest: the engine may compact the row columns in place (dropping duplicates), so the
 * ids are copied now, in the body's row order; the id → row index is built on the first
 * question (a batch without state changes never builds it), and only the rows asked about
 * have their type read.
 *
 * @example
 * const types = bodyEventTypes(body);
 * dashboard.ingesting(types, () => pipeline.ingestBody(body, onChange));
 */
export function bodyEventTypes(body: TypedRows): EventTypeLookup {
  const { length } = body.rows;
  const idHi = body.rows.idHi.slice(0, length);
  const idLo = body.rows.idLo.slice(0, length);
  let rowOf: Map<bigint, number> | undefined;
  return (eventId) => {
    if (rowOf === undefined) {
      rowOf = new Map();
      for (let row = 0; row < length; row++) rowOf.set((BigInt(idHi[row] as number) << 32n) | BigInt(idLo[row] as number), row);
    }
    const row = rowOf.get(eventId);
    return row === undefined ? undefined : body.typeIdOf(row);
  };
}

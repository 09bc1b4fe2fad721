/**
 * Thrown by a sink when the store it writes to cannot be reached (the database is down or
 * restarting): the batch is not applied and not the records' fault, so the consumer waits and
 * resumes from the stored position instead of counting the failure against a record (no record
 * becomes poison because of an outage).
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

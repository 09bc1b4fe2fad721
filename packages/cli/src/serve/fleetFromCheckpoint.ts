import { readFile } from 'node:fs/promises';
import { decodeCheckpoint, type FleetStore } from '@simfleet/core';
import { checkpointHasher, type ReplayAccount, ReplaySession } from '@simfleet/engine';

/** The fleet a checkpoint holds, or why it could not be loaded. */
export type CheckpointFleet = { ok: true; store: FleetStore; account: ReplayAccount } | { ok: false; message: string };

/**
 * The fleet state of a `simfleet replay` checkpoint (`--checkpoint FILE`): its rows are
 * deduplicated and applied exactly as `simfleet replay --from FILE` would, so the server
 * starts from the state the replay reports and live events continue it.
 *
 * @example
 * const loaded = await fleetFromCheckpoint('fleet.ckpt');
 * if (loaded.ok) await startServer({ port: 0, host: '127.0.0.1', token, store: loaded.store });
 */
export async function fleetFromCheckpoint(path: string): Promise<CheckpointFleet> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' ? 'no such checkpoint' : `cannot read it: ${err instanceof Error ? err.message : String(err)}` };
  }
  const decoded = decodeCheckpoint(bytes, checkpointHasher);
  if (!decoded.ok) return { ok: false, message: `${decoded.error.message} [${decoded.error.code}]` };
  // Adopting the checkpoint's pool skips re-interning every string (a large fleet loads in a fraction of a second).
  const session = new ReplaySession({ pool: decoded.value.pool });
  session.restoreCheckpoint(decoded.value);
  const account = session.finish();
  return { ok: true, store: session.fleet, account };
}

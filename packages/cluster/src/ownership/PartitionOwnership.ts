import type { KV } from '@nats-io/kv';
import { shareOf } from './assignPartitions.js';
import { memberKey, partitionKey } from './clusterBuckets.js';

/** Why a worker stops processing a partition. */
export type ReleaseReason =
  /** Another live worker should own it now (a worker joined): handed over cleanly. */
  | 'handover'
  /** The lease could not be renewed in time, or someone else holds it: stop at once. */
  | 'lost'
  /** The worker is shutting down (SIGTERM): handed over cleanly. */
  | 'shutdown';

/** What a worker does when it gains or gives up a partition. */
export interface PartitionHandler {
  /** Start processing a partition this worker now holds the lease of. */
  acquired(partition: number): Promise<void>;
  /**
   * Stop processing a partition. For `handover` and `shutdown` the lease is deleted only after
   * this resolves (the last checkpoint is written first); for `lost` the lease is already gone.
   */
  released(partition: number, reason: ReleaseReason): Promise<void>;
}

/** Options for {@link PartitionOwnership}. */
export interface OwnershipOptions {
  /** This worker's name (unique among live workers). */
  readonly name: string;
  /** The stream's partition count. */
  readonly partitions: number;
  /** The lease bucket's TTL. */
  readonly ttlMs: number;
  /** Called for every transition (for the worker's log). */
  readonly log?: (line: string) => void;
}

interface HeldLease {
  revision: number;
  /** `performance.now()` of the last successful create or renewal. */
  renewedAt: number;
}

/**
 * Partition ownership by KV leases.
 *
 * Every tick (a quarter of the TTL) a worker renews its membership key and each lease it holds
 * with compare-and-set on the revision (`update(key, value, revision)`); a lease whose renewal
 * fails is lost and processing stops. It reads the live members, computes its share
 * ({@link shareOf}), hands over (release, then delete the lease by revision) the partitions it
 * holds but should not, and takes (create: succeeds only if nobody holds it) the free
 * partitions of its share. A SIGKILLed worker's keys expire with the bucket's TTL: the others
 * see the member gone, the shares change, and they take its partitions once the leases expire.
 *
 * A worker that has not renewed a lease for 3/4 of the TTL (NATS unreachable, a long pause)
 * stops processing it before the server could give it to someone else.
 *
 * @example
 * const ownership = new PartitionOwnership(kv, { name: 'w1', partitions: 16, ttlMs: 10_000 }, handler);
 * await ownership.start();
 * process.on('SIGTERM', () => ownership.stop());
 */
export class PartitionOwnership {
  readonly #kv: KV;
  readonly #options: OwnershipOptions;
  readonly #handler: PartitionHandler;
  readonly #held = new Map<number, HeldLease>();
  /** Partitions whose `acquired` has not resolved yet. */
  readonly #starting = new Map<number, Promise<void>>();
  /** Partitions whose `released` has not resolved yet: not taken again before it has. */
  readonly #releasing = new Map<number, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> = Promise.resolve();
  #stopped = false;
  #joined = false;

  constructor(kv: KV, options: OwnershipOptions, handler: PartitionHandler) {
    this.#kv = kv;
    this.#options = options;
    this.#handler = handler;
  }

  /** The partitions this worker holds, ascending. */
  owned(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  /**
   * Gives a partition up at once: released and its lease deleted (by revision). For a consumer
   * the store fenced — the stored position moved on under it, for instance when a previous
   * owner's last batch landed after this worker had read the position — so that, while the
   * partition is still this worker's share, the next tick takes it again and starts it from
   * the position now stored, instead of holding the lease with nothing consuming.
   *
   * @example
   * await consumer.start(() => void ownership.relinquish(partition));
   */
  relinquish(partition: number): Promise<void> {
    return this.#handOver(partition, 'handover');
  }

  /** Joins the cluster and starts the tick loop; resolves after the first tick. */
  async start(): Promise<void> {
    await this.#runTick();
    this.#schedule();
  }

  /** Hands every held partition over cleanly, leaves the cluster and stops ticking. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#ticking;
    for (const partition of this.owned()) await this.#handOver(partition, 'shutdown');
    await Promise.all(this.#releasing.values());
    await this.#kv.delete(memberKey(this.#options.name)).catch(() => {});
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () => {
        this.#ticking = this.#runTick().finally(() => this.#schedule());
      },
      Math.max(100, Math.floor(this.#options.ttlMs / 4)),
    );
  }

  async #runTick(): Promise<void> {
    try {
      await this.tick();
    } catch (error) {
      this.#log(`ownership tick failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#dropStaleLeases();
    }
  }

  /** One round of the protocol (exposed for tests that step it by hand). */
  async tick(): Promise<void> {
    if (this.#stopped) return;
    const { name, partitions } = this.#options;
    await this.#renewMembership();
    if (!this.#joined) return;
    await this.#renewLeases();
    const members = await this.#liveMembers();
    if (!members.includes(name)) members.push(name);
    const share = new Set(shareOf(name, members, partitions));
    for (const partition of this.owned()) {
      if (!share.has(partition) && !this.#stopped) await this.#handOver(partition, 'handover');
    }
    for (const partition of share) {
      if (this.#held.has(partition) || this.#releasing.has(partition) || this.#stopped) continue;
      await this.#tryAcquire(partition);
    }
  }

  async #renewMembership(): Promise<void> {
    const key = memberKey(this.#options.name);
    const value = JSON.stringify({ name: this.#options.name, pid: process.pid });
    if (this.#joined) {
      await this.#kv.put(key, value);
      return;
    }
    // Joining: refuse to share a name with a live worker (its key expires within the TTL if it died).
    try {
      await this.#kv.create(key, value);
      this.#joined = true;
      this.#log(`joined as ${this.#options.name}`);
    } catch {
      this.#log(`waiting: a worker named ${this.#options.name} is registered (its key expires within the lease TTL if it is gone)`);
    }
  }

  async #renewLeases(): Promise<void> {
    for (const [partition, lease] of [...this.#held]) {
      try {
        lease.revision = await this.#kv.update(partitionKey(partition), this.#leaseValue(), lease.revision);
        lease.renewedAt = performance.now();
      } catch (error) {
        const entry = await this.#kv.get(partitionKey(partition)).catch(() => undefined);
        // Only a definite answer that the lease is someone else's (or gone) counts as lost; a
        // failed request is retried next tick, until the 3/4-TTL rule stops the partition.
        if (entry !== undefined && (entry === null || entry.operation !== 'PUT' || entry.revision !== lease.revision)) {
          this.#held.delete(partition);
          this.#log(`lost partition ${partition}: ${error instanceof Error ? error.message : String(error)}`);
          await this.#release(partition, 'lost');
        }
      }
    }
  }

  async #liveMembers(): Promise<string[]> {
    const members: string[] = [];
    for await (const key of await this.#kv.keys('member.*')) members.push(key.slice('member.'.length));
    return members;
  }

  async #tryAcquire(partition: number): Promise<void> {
    let revision: number;
    try {
      revision = await this.#kv.create(partitionKey(partition), this.#leaseValue());
    } catch {
      return; // held by another worker (which hands it over on its next tick) or not yet expired
    }
    this.#held.set(partition, { revision, renewedAt: performance.now() });
    this.#log(`acquired partition ${partition}`);
    // Starting a partition can take long (its state is rebuilt): it runs beside the ticks, which
    // must keep renewing every lease in time.
    const starting = this.#handler.acquired(partition).catch(async (error: unknown) => {
      this.#starting.delete(partition);
      this.#log(`partition ${partition} failed to start: ${error instanceof Error ? error.message : String(error)}`);
      await this.#handOver(partition, 'handover');
    });
    this.#starting.set(partition, starting);
    void starting.finally(() => {
      if (this.#starting.get(partition) === starting) this.#starting.delete(partition);
    });
  }

  async #handOver(partition: number, reason: ReleaseReason): Promise<void> {
    const lease = this.#held.get(partition);
    if (lease === undefined) return;
    this.#held.delete(partition);
    await this.#release(partition, reason);
    // Delete by revision: if the lease already moved on, this fails and touches nothing.
    await this.#kv.delete(partitionKey(partition), { previousSeq: lease.revision }).catch(() => {});
    this.#log(`released partition ${partition} (${reason})`);
  }

  /** Waits for the partition's start, then releases it; the partition is not taken again meanwhile. */
  #release(partition: number, reason: ReleaseReason): Promise<void> {
    const releasing = (async () => {
      await this.#starting.get(partition);
      await this.#handler.released(partition, reason);
    })()
      .catch((error: unknown) => this.#log(`partition ${partition} failed to stop: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => this.#releasing.delete(partition));
    this.#releasing.set(partition, releasing);
    return releasing;
  }

  #dropStaleLeases(): void {
    const limit = (this.#options.ttlMs * 3) / 4;
    for (const [partition, lease] of [...this.#held]) {
      if (performance.now() - lease.renewedAt <= limit) continue;
      this.#held.delete(partition);
      this.#log(`lost partition ${partition}: lease not renewed for ${Math.round(limit)} ms`);
      void this.#release(partition, 'lost');
    }
  }

  #leaseValue(): string {
    return JSON.stringify({ owner: this.#options.name, pid: process.pid });
  }

  #log(line: string): void {
    this.#options.log?.(line);
  }
}

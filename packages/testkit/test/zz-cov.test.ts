import fc from 'fast-check';
import { it } from 'vitest';
import { deviceLifecycle } from '../src/arbitrary/deviceLifecycle.js';
import { TransitionCoverage } from '../src/coverage/TransitionCoverage.js';
import { toDeviceEvents } from '../src/replay/toDeviceEvents.js';
it('cov', () => {
  const counts = new Map<string, number>();
  const t0 = performance.now();
  for (let seed = 0; seed < 200; seed++) {
    const c = new TransitionCoverage();
    for (const r of fc.sample(deviceLifecycle(), { numRuns: 100, seed })) c.add(toDeviceEvents(r));
    for (const u of c.uncovered) counts.set(u.key, (counts.get(u.key) ?? 0) + 1);
    if (seed === 0) console.log(c.report());
  }
  console.log('time', performance.now() - t0, [...counts]);
}, 120000);

/**
 * `node dist/main.js [--log FILE|DIR] [--speed N|max] [--events N --devices M --seed S]
 *   [--region connectivity,status,…] [--stale-after MINUTES]`
 *
 * Starts simfleet serve, replays a log into it at the chosen speed (event time runs N
 * times faster than real time) and prints every transition as it streams back. Without
 * `--log` it replays a simulated fleet from the testkit.
 */
import { parseArgs } from 'node:util';
import { logFileLines, simulatedLines } from './logLines.js';
import { runLiveBackend } from './runLiveBackend.js';

const { values } = parseArgs({
  options: {
    log: { type: 'string' },
    speed: { type: 'string', default: '3600' },
    events: { type: 'string', default: '2000' },
    devices: { type: 'string', default: '25' },
    seed: { type: 'string', default: '7' },
    region: { type: 'string', default: '' },
    'stale-after': { type: 'string' },
  },
});

const speed = values.speed === 'max' ? Number.POSITIVE_INFINITY : Number(values.speed);
if (!(speed > 0)) {
  process.stderr.write(`--speed must be a positive number or "max", got ${values.speed}\n`);
  process.exit(1);
}
const lines =
  values.log === undefined
    ? simulatedLines({ events: Number(values.events), devices: Number(values.devices), seed: Number(values.seed) })
    : logFileLines(values.log);
const staleAfter = values['stale-after'];
await runLiveBackend({
  lines,
  speed,
  regions: values.region === '' ? [] : values.region.split(','),
  ...(staleAfter === undefined ? {} : { staleAfterMinutes: Number(staleAfter) }),
  print: (line) => process.stdout.write(`${line}\n`),
});

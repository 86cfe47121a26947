/**
 * `npm run fuzz`: the bad-input suite at full scale (see fuzz-core.ts). Bounded: a fixed number
 * of runs per family of requests and a time cap; the server runs with the product's timeouts.
 * Options: --runs N (per family), --minutes M (cap of the fuzzing phase), --seed S.
 */
import { parseArgs } from 'node:util';
import { report, runFuzz } from './fuzz-core.js';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, minutes: { type: 'string' }, seed: { type: 'string' } },
});
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (seed !== undefined && (!/^[0-9]+$/.test(values.seed!) || !Number.isSafeInteger(seed))) {
  console.error(`fuzz: --seed takes a whole number, not ${JSON.stringify(values.seed)}`);
  process.exit(2);
}
const summary = await runFuzz({
  runs: Number(values.runs ?? 3000),
  timeCapMs: Number(values.minutes ?? 8) * 60_000,
  requestTimeoutMs: 15_000,
  seed,
  attackers: { slowloris: 200, endless: 4, stalled: 20 },
  log: (line) => console.log(line),
});
console.log(report(summary));
const passed = summary.checks.every((c) => c.ok);
if (!passed) console.log(`re-run this seed: npm run fuzz -- --seed ${summary.seed}`);
process.exitCode = passed ? 0 : 1;

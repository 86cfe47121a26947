/**
 * `npm run soak`: the fault soak at full scale. Prints each scenario's figures and failures, then
 * `N passed, N failed` over every check; exits 1 when any failed. `SOAK_SCALE=fast` runs the small
 * version, `SOAK_ONLY=faults,kills` a subset, `SOAK_VERBOSE=1` every request of the fault uploads.
 */
import { FAST, formatReport, FULL, SCENARIOS, Soak, type ScenarioReport } from './faults.js';

const scale = process.env.SOAK_SCALE === 'fast' ? FAST : FULL;
const only = process.env.SOAK_ONLY?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const names = (Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[]).filter((name) => !only || only.includes(name));

const started = Date.now();
console.log(`fault soak, ${scale.name} scale, chunk size 5 MiB, loopback only`);
const soak = await Soak.start(scale);
const stop = (): void => {
  void soak.stop().finally(() => process.exit(130));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

const reports: ScenarioReport[] = [];
try {
  for (const name of names) {
    let report: ScenarioReport;
    try {
      report = await SCENARIOS[name](soak);
    } catch (error) {
      report = {
        name,
        checks: [
          {
            name: `${name} ran`,
            ok: false,
            detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
          },
        ],
        figures: {},
        seconds: 0,
      };
    }
    reports.push(report);
    console.log(formatReport(report));
  }
} finally {
  await soak.stop();
}

const checks = reports.flatMap((r) => r.checks);
const passed = checks.filter((c) => c.ok).length;
const failed = checks.length - passed;
const sum = (key: string): number => reports.reduce((total, report) => total + Number(report.figures[key] ?? 0), 0);
console.log(
  `total: ${sum('uploads')} uploads, ${sum('MiB verified').toFixed(1)} MiB verified, ${sum('faults injected')} faults injected, ` +
    `${sum('SIGKILLs')} SIGKILLs, ${sum('5xx from the API')} 5xx from the API (seen by the proxies)`,
);
console.log(
  `API RSS peak over the run: ${(soak.rssMaxKiB / 1024).toFixed(1)} MiB; total ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;

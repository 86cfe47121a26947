/**
 * The fault soak at a small scale (`npm run soak` runs it in full): uploads from headless Chromium
 * survive injected faults, a killed API, short-lived tokens and uploads at once, byte for byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  concurrentUploads,
  FAST,
  faultUploads,
  killRestart,
  Soak,
  tokenRefresh,
  type ScenarioReport,
} from '../../tools/soak/faults.js';

function assertPassed(report: ScenarioReport): void {
  const failed = report.checks.filter((check) => !check.ok);
  assert.deepEqual(failed, [], `${report.name}: ${failed.map((c) => `${c.name} (${c.detail ?? ''})`).join('; ')}`);
  assert.ok(report.checks.length > 0);
}

describe('fault soak (fast)', () => {
  let soak: Soak;
  before(async () => {
    soak = await Soak.start(FAST);
  });
  after(async () => {
    await soak?.stop();
  });

  it(
    'uploads complete byte-identical through resets, 503s, 429s, stalls, lost answers, latency and bandwidth caps',
    { timeout: 45_000 },
    async () => {
      const report = await faultUploads(soak);
      assertPassed(report);
      assert.ok(Number(report.figures['faults injected']) >= 5 * FAST.faults.uploads);
    },
  );

  it(
    'an upload resumes after the API is killed with SIGKILL and restarted; the database stays intact',
    { timeout: 45_000 },
    async () => {
      const report = await killRestart(soak);
      assertPassed(report);
      assert.equal(report.figures['SIGKILLs'], FAST.kills.maxKills);
    },
  );

  it('an upload outlives its short-lived tokens through refreshes', { timeout: 30_000 }, async () => {
    assertPassed(await tokenRefresh(soak));
  });

  it('uploads at once from one page and from several pages all arrive intact', { timeout: 40_000 }, async () => {
    assertPassed(await concurrentUploads(soak));
  });
});

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startVideoApiServer } from '../../src/server/app.js';
import { tempDir } from '../support/api.js';

describe('inactivity timeout', () => {
  it('guards the arrival of a request, not the work done once its body is in', async () => {
    const dataDir = tempDir();
    // A route standing for slow work after the body (assembling a large upload): it outlasts the timeout.
    const running = await startVideoApiServer(
      { apiKey: 'k', dataDir, timeouts: { headersMs: 1_000, idleMs: 300, keepAliveMs: 1_000 } },
      (app) => {
        app.post('/slow-work', async (c) => {
          const body = await c.req.text();
          await sleep(1_000);
          return c.json({ received: body.length });
        });
      },
    );
    try {
      const response = await fetch(`${running.url}/slow-work`, { method: 'POST', body: 'x'.repeat(1000) });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { received: 1000 });
    } finally {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

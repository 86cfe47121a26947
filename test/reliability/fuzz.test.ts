/**
 * The bad-input suite, small and fast, inside `npm test` (the full one is `npm run fuzz`): the same
 * generators, properties and checks as fuzz-core.ts, fewer runs, fewer attackers, short timeouts.
 */
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { report, runFuzz, verdict, type RawRequest } from '../../tools/fuzz/fuzz-core.js';

/** `FUZZ_SEED=N` re-runs the fast fuzz with the seed a failure printed; otherwise a new seed each run. */
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2_147_483_647;
if (!Number.isSafeInteger(seed) || seed < 0)
  throw new Error(`FUZZ_SEED must be a whole number, not ${process.env.FUZZ_SEED}`);
const here = relative(process.cwd(), fileURLToPath(import.meta.url));

describe('bad input (fast fuzz)', () => {
  it(
    'keeps every property over a few hundred fuzzed requests, slow and oversized clients, and the stored data',
    { timeout: 90_000 },
    async () => {
      const summary = await runFuzz({
        runs: 150,
        timeCapMs: 20_000,
        requestTimeoutMs: 5_000,
        attackers: { slowloris: 10, endless: 2, stalled: 4 },
        timeouts: { headersMs: 1_000, idleMs: 1_500, keepAliveMs: 1_000, smallBodyMs: 2_000 },
        seed,
      });
      const text =
        `${report(summary)}\nseed ${seed}: re-run this fast fuzz with\n  FUZZ_SEED=${seed} node --import tsx --test ${here}\n` +
        `or at full scale with\n  npm run fuzz -- --seed ${seed}`;
      const failed = summary.checks.filter((c) => !c.ok);
      assert.deepEqual(failed, [], text);
      assert.ok(summary.requests >= 300, `only ${summary.requests} requests fuzzed`);
      assert.equal(summary.fiveHundreds, 0);
    },
  );

  it('holds answers to the properties: a 5xx, a non-problem error, a wrong status and a hang all fail', () => {
    const request: RawRequest = { method: 'GET', target: Buffer.from('/'), headers: [], body: Buffer.alloc(0) };
    const answer = (status: number, type: string, body: string) => ({
      status,
      headers: new Map([['content-type', type]]),
      body: Buffer.from(body),
    });
    assert.equal(
      verdict(request, answer(404, 'application/problem+json', '{"type":"t","title":"x","status":404}')),
      undefined,
    );
    assert.equal(verdict(request, answer(200, 'text/html', '<p>')), undefined);
    assert.match(
      verdict(request, answer(500, 'application/problem+json', '{"type":"t","title":"x","status":500}')) ?? '',
      /500/,
    );
    assert.match(verdict(request, answer(400, 'text/plain', 'Bad Request')) ?? '', /Content-Type/);
    assert.match(
      verdict(request, answer(404, 'application/json', '{"title":"x","status":404}')) ?? '',
      /type and title/,
    );
    assert.match(
      verdict(request, answer(401, 'application/json', '{"type":"t","title":"x","status":400}')) ?? '',
      /status 400/,
    );
    assert.match(verdict(request, 'hang') ?? '', /hang/);
    assert.match(verdict(request, 'no answer') ?? '', /without an answer/);
    assert.equal(verdict({ ...request, method: 'HEAD' }, answer(404, '', '')), undefined);
  });
});

import { expect } from '@open-wc/testing';
import type { UploadErrorCode } from '../../../src/upload/index.js';
import { planParts, UploadError, UploadSession } from '../../../src/upload/index.js';
import type { FaultRule } from '../../support/fault-proxy.js';
import {
  clearResumeRecords,
  configureProxy,
  delay,
  makeFile,
  MiB,
  mintToken,
  progressWhere,
  settled,
  videoApi,
  closedPortUrl,
  crossOriginTokenUrl,
} from './helpers.js';

/** Runs an upload through the proxy with `rules` and no retries; returns the error it ended with. */
async function failWith(
  rules: FaultRule[],
  options: Partial<ConstructorParameters<typeof UploadSession>[0]> = {},
): Promise<UploadError> {
  const { url } = await configureProxy({ rules });
  const { token } = await mintToken(600);
  const session = new UploadSession({ token, apiUrl: url, retries: 0, ...options });
  session.start(makeFile(1 * MiB, 'e.mp4'));
  const { error } = await settled(session);
  expect(error).to.be.instanceOf(UploadError);
  return error as UploadError;
}

const once = (status: number, headers: Record<string, string> = {}): FaultRule[] => [
  { path: '/upload', action: { type: 'status', status, headers } },
];

describe('errors', () => {
  beforeEach(clearResumeRecords);

  it('gives an UploadError with code, message, status and retryable for every code', async () => {
    const { url } = await videoApi();
    const seen = new Map<UploadErrorCode, UploadError>();
    const keep = (error: UploadError): void => {
      seen.set(error.code, error);
    };

    const run = async (options: ConstructorParameters<typeof UploadSession>[0]): Promise<UploadError> => {
      const session = new UploadSession({ retries: 0, ...options });
      session.start(makeFile(1 * MiB, 'e.mp4'));
      return (await settled(session)).error as UploadError;
    };
    keep(await run({ tokenUrl: '/__token?mode=fail' }));
    keep(await run({ tokenUrl: '/__token?mode=html' }));
    keep(await run({ tokenUrl: '/__token?mode=missing' }));
    keep(await run({ tokenUrl: '/__token?mode=refuse' }));
    keep(await run({ tokenUrl: '/__no-token-endpoint-here' }));
    keep(await run({ tokenUrl: await closedPortUrl() }));
    keep(await run({ tokenUrl: crossOriginTokenUrl() }));
    keep(await run({}));
    keep(await run({ token: 'to0000000000000000000000' }));
    const expired = await mintToken(1);
    // createdAt is rounded up to the second, so a 1 s token lives up to 2 s.
    await delay(2200);
    keep(await run({ token: expired.token, apiUrl: url }));
    keep(await run({ apiUrl: url, tokenProvider: async () => 'to0000000000000000000000' }));
    keep(await failWith(once(413)));
    keep(await failWith(once(415)));
    keep(
      await failWith([
        { path: '/upload', action: { type: 'reset' } },
        { path: '/upload', action: { type: 'reset' } },
      ]),
    );
    keep(await failWith(once(500)));
    keep(await failWith(once(429, { 'Retry-After': '30' })));
    keep(await failWith(once(409)));
    const { token } = await mintToken(600);
    const canceled = new UploadSession({ token, apiUrl: url });
    canceled.start(makeFile(1 * MiB));
    canceled.cancel();
    keep(canceled.error as UploadError);

    const expected: Record<UploadErrorCode, [number | undefined, boolean]> = {
      'token-request-failed': [500, true],
      'token-invalid': [undefined, false],
      'token-missing': [undefined, false],
      'api-url-missing': [undefined, false],
      'token-endpoint-missing': [404, false],
      'token-endpoint-unreachable': [undefined, true],
      'token-endpoint-cors': [undefined, false],
      'token-endpoint-not-json': [200, false],
      'token-endpoint-refused': [403, false],
      'token-expired': [401, false],
      unauthorized: [401, false],
      'file-too-large': [413, false],
      'file-type': [415, false],
      network: [undefined, true],
      server: [500, true],
      'rate-limited': [429, true],
      canceled: [undefined, false],
      protocol: [409, false],
    };
    expect([...seen.keys()].sort()).to.deep.equal(Object.keys(expected).sort());
    for (const [code, [status, retryable]] of Object.entries(expected) as Array<
      [UploadErrorCode, [number | undefined, boolean]]
    >) {
      const error = seen.get(code)!;
      expect(error, code).to.be.instanceOf(UploadError);
      expect(error, code).to.be.instanceOf(Error);
      expect(error.name, code).to.equal('UploadError');
      expect(error.message.length, code).to.be.greaterThan(10);
      expect(error.status, code).to.equal(status);
      expect(error.retryable, code).to.equal(retryable);
    }
    expect(seen.get('rate-limited')!.retryAfterMs).to.equal(30_000);
    expect(seen.get('rate-limited')!.message).to.match(/wait 30 s/);
  });

  it('refuses a file that needs more than 10 000 parts of 128 MiB', () => {
    expect(planParts(11 * MiB, 5 * MiB)).to.deep.equal({ chunkSize: 5 * MiB, parts: 3 });
    expect(planParts(11 * MiB, 1)).to.deep.equal({ chunkSize: 5 * MiB, parts: 3 });
    expect(planParts(11 * MiB, 1024 * MiB)).to.deep.equal({ chunkSize: 128 * MiB, parts: 1 });
    expect(planParts(0, 5 * MiB)).to.deep.equal({ chunkSize: 5 * MiB, parts: 1 });
    // 100 GiB in 5 MiB parts would be 20 480 parts: the parts grow instead.
    expect(planParts(100 * 1024 * MiB, 5 * MiB)).to.deep.equal({ chunkSize: 11 * MiB, parts: 9310 });
    expect(() => planParts(10_000 * 128 * MiB + 1, 5 * MiB))
      .to.throw(UploadError)
      .with.property('code', 'file-too-large');
  });

  it('reports the error as an event and the session keeps it', async () => {
    const { url } = await configureProxy({ rules: once(503) });
    const { token } = await mintToken(600);
    const session = new UploadSession({ token, apiUrl: url, retries: 0 });
    const errors: unknown[] = [];
    session.addEventListener('error', (event) => errors.push(event.detail.error));
    session.start(makeFile(6 * MiB));
    await settled(session);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.equal(session.error);
    // A failed session can be resumed: it continues where it stopped.
    expect(session.resume()).to.equal(true);
    await progressWhere(session, (p) => p.uploadedBytes > 0);
    expect((await settled(session)).state).to.equal('complete');
  });
});

import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { UploadSession } from '../../../src/upload/index.js';
import { clearResumeRecords, grantFor, record, settled, sourceSha256, videoApi } from './helpers.js';

const MiB = 1024 * 1024;
const SIZE_MIB = 200;

/**
 * A file of `mib` MiB made in the page from one repeated block (the Blob holds references, not 200 copies):
 * each MiB is its 4-byte big-endian index, then the same MiB − 4 bytes, so that a part landing at the wrong
 * offset changes the hash. The `pattern-sha256` server command hashes the same bytes in Node.
 */
function patternFile(mib: number, seed: number, name: string): File {
  const block = new Uint8Array(MiB - 4);
  for (let i = 0; i < block.length; i++) block[i] = (i * 131 + seed * 7 + (i >>> 9)) & 0xff;
  const parts: BlobPart[] = [];
  for (let n = 0; n < mib; n++) {
    const stamp = new Uint8Array(4);
    new DataView(stamp.buffer).setUint32(0, n);
    parts.push(stamp, block);
  }
  return new File(parts, name, { type: 'video/mp4', lastModified: 1_700_000_000_000 });
}

/**
 * 200 MiB through the engine to the real local API, in each engine (`npm run test:large`; kept out of
 * `npm test` for its memory and disk; `.ci/run` runs it after `npm test`). The engine's default part size (50 MiB) is used
 * as a site would.
 */
describe('a large upload', () => {
  beforeEach(clearResumeRecords);

  for (const protocol of ['apivideo', 'tus'] as const) {
    it(`uploads ${SIZE_MIB} MiB made in the page over ${protocol}, every byte in place`, async function () {
      this.timeout(10 * 60_000);
      const { url } = await videoApi();
      const seed = protocol === 'tus' ? 12 : 11;
      const file = patternFile(SIZE_MIB, seed, `large-${protocol}.mp4`);
      expect(file.size).to.equal(SIZE_MIB * MiB);
      const session = new UploadSession({ protocol, tokenProvider: () => grantFor(url, 600) });
      const events = record(session);
      const started = performance.now();
      session.start(file);
      const { state, error } = await settled(session, 9 * 60_000);
      const seconds = (performance.now() - started) / 1000;
      expect(error?.message ?? null).to.equal(null);
      expect(state).to.equal('complete');
      expect(events.progress.at(-1)!.uploadedBytes).to.equal(file.size);
      const stored = await sourceSha256(session.video!.videoId);
      const expected = await executeServerCommand<{ sha256: string; size: number }, { mib: number; seed: number }>(
        'pattern-sha256',
        { mib: SIZE_MIB, seed },
      );
      expect(stored.size).to.equal(expected.size);
      expect(stored.sha256).to.equal(expected.sha256);
      console.log(
        `${SIZE_MIB} MiB over ${protocol} in ${seconds.toFixed(1)} s (${(SIZE_MIB / seconds).toFixed(1)} MiB/s), ${events.retries.length} retries`,
      );
    });
  }
});

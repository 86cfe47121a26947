/**
 * Starts the local video API for a test run in its own process, on a free loopback port, with a
 * throwaway data directory. Prints one JSON line `{url, apiKey, dataDir}` once it listens.
 * Used by web-test-runner.config.mjs; the API key stays on the Node side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVideoApiServer } from '../../src/server/app.js';

const dataDir = process.env.VIDEO_UPLOADER_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'vu-browser-'));
const apiKey = process.env.APIVIDEO_API_KEY ?? 'test-browser-api-key-0123456789';
// Browser tests record a few seconds of video: parts smaller than api.video's 5 MiB minimum are let through.
const minPartSize = process.env.VIDEO_UPLOADER_MIN_PART_SIZE
  ? Number(process.env.VIDEO_UPLOADER_MIN_PART_SIZE)
  : undefined;
const running = await startVideoApiServer({
  apiKey,
  dataDir,
  port: Number(process.env.PORT ?? 0),
  host: '127.0.0.1',
  ...(minPartSize ? { minPartSize } : {}),
});
process.stdout.write(JSON.stringify({ url: running.url, apiKey, dataDir }) + '\n');

const stop = async (): Promise<void> => {
  await running.close();
  if (!process.env.VIDEO_UPLOADER_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();

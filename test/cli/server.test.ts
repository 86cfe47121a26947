import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { basic, tempDir } from '../support/api.js';

describe('video-uploader server', () => {
  it('refuses to start without an API key, saying how to give one', async () => {
    for (const args of [
      ['server', '--port', '0'],
      ['server', '--port', '0', '--api-key', '  '],
    ]) {
      const cli = runCli(args);
      assert.equal(await cli.exited, 2);
      assert.match(cli.output(), /An API key is required: pass --api-key or set APIVIDEO_API_KEY\./);
    }
  });

  it('refuses an unknown option and a bad port', async () => {
    const unknown = runCli(['server', '--nope']);
    assert.equal(await unknown.exited, 2);
    assert.match(unknown.output(), /Unknown option '--nope'/);
    const port = runCli(['server', '--port', 'http', '--api-key', 'k']);
    assert.equal(await port.exited, 2);
    assert.match(port.output(), /Invalid port: http/);
  });

  it('serves the API from the environment, prints its URL but not the key, and closes on SIGTERM', async () => {
    const dataDir = tempDir();
    const key = 'cli-env-key-5d41402abc4b2a76';
    const cli = runCli(['server', '--port', '0', '--quiet'], {
      APIVIDEO_API_KEY: key,
      VIDEO_UPLOADER_DATA_DIR: dataDir,
    });
    try {
      const [, url] = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const response = await fetch(`${url}/upload-tokens`, {
        method: 'POST',
        headers: { authorization: basic(key) },
        body: '{"ttl":60}',
      });
      assert.equal(response.status, 200);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
      assert.match(cli.output(), /SIGTERM, closing/);
      assert.ok(!cli.output().includes(key));
    } finally {
      cli.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

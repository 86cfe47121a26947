import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { UPLOAD_TOKEN_PATTERN } from '../../src/protocol/index.js';
import { basic, startTestApi, type TestApi } from '../support/api.js';

const API_KEY = 'sk_cli_Pw4Jr8Tn2Vx6Hc1Q';

interface Cli {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runCli(args: string[], env: Record<string, string> = {}): Cli {
  const script = `import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(${JSON.stringify(args)}); })`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: new URL('../../', import.meta.url),
    env: { ...process.env, APIVIDEO_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function listeningUrl(cli: Cli): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const match = /listening on (http:\/\/\S+)/.exec(cli.output());
    if (match) return match[1];
    if (cli.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the issuer did not start:\n${cli.output()}`);
}

describe('video-uploader issuer', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ apiKey: API_KEY });
  });
  after(async () => {
    await api.stop();
  });

  it('serves tokens from the key in APIVIDEO_API_KEY, prints where it listens and never the key', async () => {
    const cli = runCli(
      [
        'issuer',
        '--port',
        '0',
        '--api-url',
        api.url,
        '--ttl',
        '120',
        '--allow-origin',
        'https://a.example',
        '--allow-origin',
        'https://b.example',
      ],
      { APIVIDEO_API_KEY: API_KEY },
    );
    try {
      const url = await listeningUrl(cli);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(url + '/', {
        method: 'POST',
        headers: { origin: 'https://b.example', 'content-type': 'application/json' },
        body: JSON.stringify({ fileName: 'a.mp4' }),
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), 'https://b.example');
      const grant = await response.json();
      assert.match(grant.token, UPLOAD_TOKEN_PATTERN);
      assert.equal(grant.ttl, 120);
      assert.equal(grant.apiUrl, api.url);
      const onApi = await api.authed(`/upload-tokens/${grant.token}`);
      assert.equal(onApi.status, 200);
      const refused = await fetch(url + '/', { method: 'POST', headers: { origin: 'https://c.example' } });
      assert.equal(refused.status, 403);
    } finally {
      cli.child.kill('SIGTERM');
    }
    assert.equal(await cli.exited, 0);
    assert.match(cli.output(), /issuer: POST 200/);
    assert.match(cli.output(), /SIGTERM, closing/);
    assert.ok(!cli.output().includes(API_KEY), 'key printed');
    assert.ok(!cli.output().includes(basic(API_KEY).slice(6)), 'encoded key printed');
  });

  it('takes --api-key, and refuses ttl 0 without --allow-zero-ttl', async () => {
    const zero = runCli(['issuer', '--port', '0', '--api-key', API_KEY, '--api-url', api.url, '--ttl', '0']);
    assert.equal(await zero.exited, 2);
    assert.match(zero.output(), /never expire/);
    assert.ok(!zero.output().includes(API_KEY));

    const cli = runCli([
      'issuer',
      '--port',
      '0',
      '--api-key',
      API_KEY,
      '--api-url',
      api.url,
      '--ttl',
      '0',
      '--allow-zero-ttl',
      '--quiet',
    ]);
    try {
      const url = await listeningUrl(cli);
      const grant = await (await fetch(url, { method: 'POST' })).json();
      assert.equal(grant.ttl, 0);
      assert.equal(grant.expiresAt, null);
    } finally {
      cli.child.kill('SIGTERM');
    }
    assert.equal(await cli.exited, 0);
    assert.doesNotMatch(cli.output(), /issuer: POST/);
    assert.ok(!cli.output().includes(API_KEY));
  });

  it('exits 2 with usage when no key is given or an option is wrong', async () => {
    const missing = runCli(['issuer', '--port', '0']);
    assert.equal(await missing.exited, 2);
    assert.match(missing.output(), /An API key is required/);
    assert.match(missing.output(), /See video-uploader issuer --help\./);
    const badOrigin = runCli(['issuer', '--port', '0', '--api-key', API_KEY, '--allow-origin', 'example.com']);
    assert.equal(await badOrigin.exited, 2);
    assert.match(badOrigin.output(), /allowedOrigins entry "example.com"/);
    assert.ok(!badOrigin.output().includes(API_KEY));
  });
});

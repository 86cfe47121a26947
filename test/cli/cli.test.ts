/** The `video-uploader` command as a developer meets it: help, version, mistakes, a port in use, other sites. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { devSpec } from '../../src/cli/dev.js';
import { issuerSpec } from '../../src/cli/issuer.js';
import { serverSpec } from '../../src/cli/server.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { tempDir } from '../support/api.js';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

async function finished(cli: CliProcess): Promise<{ code: number | null; output: string }> {
  const code = await cli.exited;
  return { code, output: cli.output() };
}

/** One line of text, no stack trace. */
function assertOneLine(output: string): void {
  assert.equal(output.trimEnd().split('\n').length, 1, output);
  assert.doesNotMatch(output, /^\s+at /m);
}

describe('video-uploader: help and version', () => {
  it('lists the commands at the top level, with --help, -h, help, and on stderr with exit 2 when run bare', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const { code, output } = await finished(runCli(args));
      assert.equal(code, 0, args.join(' '));
      assert.match(output, /^Usage: video-uploader <command> \[options\]/);
      for (const name of ['dev', 'server', 'issuer']) assert.match(output, new RegExp(`^  ${name} +\\S`, 'm'));
      assert.match(output, /--version/);
    }
    const bare = runCli([]);
    assert.equal(await bare.exited, 2);
    assert.match(bare.output(), /Commands:/);
  });

  it('prints the package version with --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      const { code, output } = await finished(runCli([flag]));
      assert.equal(code, 0);
      assert.equal(output, `${version}\n`);
    }
  });

  for (const spec of [devSpec, serverSpec, issuerSpec]) {
    it(`${spec.name} --help lists every option and an example, and exits 0`, async () => {
      for (const args of [
        [spec.name, '--help'],
        [spec.name, '-h'],
        ['help', spec.name],
      ]) {
        const { code, output } = await finished(runCli(args));
        assert.equal(code, 0, args.join(' '));
        assert.match(output, new RegExp(`^Usage: video-uploader ${spec.name} \\[options\\]`));
        for (const name of [...Object.keys(spec.options), 'help']) {
          assert.match(output, new RegExp(`^  --${name}\\b`, 'm'), `--${name} in ${spec.name} --help`);
        }
        assert.match(
          output,
          new RegExp(`^Examples?:\\n  video-uploader ${spec.name}|^  \\S+=\\S+ video-uploader ${spec.name}`, 'm'),
        );
      }
    });
  }
});

describe('video-uploader: mistakes get one line and an exit code', () => {
  it('an unknown option, a missing value, a stray argument, a bad origin: exit 2, one line naming it', async () => {
    const cases: [string[], RegExp][] = [
      [['dev', '--nope'], /^video-uploader dev: Unknown option '--nope'\. See video-uploader dev --help\.$/],
      [['server', '--port'], /^video-uploader server: Option '--port <value>' argument missing\. See/],
      [['issuer', 'extra'], /^video-uploader issuer: Unexpected argument 'extra'\. See/],
      [['dev', '--allow-origin', 'localhost:3000'], /--allow-origin "localhost:3000" is not an origin/],
      [['dev', '--port', 'eighty'], /^video-uploader dev: Invalid port: eighty\. See/],
    ];
    for (const [args, pattern] of cases) {
      const { code, output } = await finished(runCli(args));
      assert.equal(code, 2, args.join(' '));
      assertOneLine(output);
      assert.match(output.trimEnd(), pattern);
    }
  });

  it('an unknown command: exit 2, one line with the commands', async () => {
    const { code, output } = await finished(runCli(['serve']));
    assert.equal(code, 2);
    assertOneLine(output);
    assert.match(output, /unknown command 'serve'\. Commands: dev, server, issuer/);
  });

  describe('a port in use', () => {
    let blocker: Server;
    let port: number;
    const dataDir = tempDir('vu-cli-');
    before(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      port = (blocker.address() as { port: number }).port;
    });
    after(() => {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('says which port and what to do, exit 1, for each command', async () => {
      for (const args of [
        ['dev', '--data-dir', dataDir],
        ['server', '--api-key', 'k', '--data-dir', dataDir],
        ['issuer', '--api-key', 'k'],
      ]) {
        const { code, output } = await finished(runCli([...args, '--port', String(port)]));
        assert.equal(code, 1, `${args[0]}: ${output}`);
        assertOneLine(output);
        assert.match(
          output.trimEnd(),
          new RegExp(
            `^video-uploader ${args[0]}: Port ${port} on 127\\.0\\.0\\.1 is already in use\\. .*--port \\(0 picks a free one\\)\\.$`,
          ),
        );
      }
    });
  });
});

describe('video-uploader dev --allow-origin', () => {
  const SITE = 'http://localhost:3999';
  let dev: CliProcess;
  let url: string;
  const dataDir = tempDir('vu-cli-');
  before(async () => {
    dev = runCli(['dev', '--port', '0', '--data-dir', dataDir, '--quiet', '--allow-origin', SITE]);
    [, url] = (await dev.waitFor(/Demo\s+(http:\/\/127\.0\.0\.1:\d+)\//, 90_000)) as unknown as [string, string];
  });
  after(async () => {
    dev.child.kill('SIGTERM');
    await dev.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the allowed sites on its start screen', () => {
    assert.match(dev.output(), /Other sites\s+http:\/\/localhost:3999\n/);
  });

  it('issues tokens to the allowed site, with its CORS header, and refuses any other', async () => {
    const ask = (origin: string): Promise<Response> =>
      fetch(`${url}/api/upload-token`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ fileName: 'a.mp4', fileSize: 10, fileType: 'video/mp4' }),
      });
    const allowed = await ask(SITE);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), SITE);
    assert.equal(typeof ((await allowed.json()) as { token: string }).token, 'string');
    const other = await ask('http://localhost:4000');
    assert.equal(other.status, 403);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    await other.body?.cancel();
  });

  it(
    'serves the element to the allowed site with a CORS header, to no other',
    { skip: !existsSync('dist/cdn/video-uploader.min.js') && 'run `npm run build` first' },
    async () => {
      const allowed = await fetch(`${url}/cdn/video-uploader.min.js`, { headers: { origin: SITE } });
      assert.equal(allowed.status, 200);
      assert.equal(allowed.headers.get('access-control-allow-origin'), SITE);
      assert.match(allowed.headers.get('vary') ?? '', /Origin/);
      await allowed.body?.cancel();
      const other = await fetch(`${url}/cdn/video-uploader.min.js`, { headers: { origin: 'http://localhost:4000' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      await other.body?.cancel();
      // The demo pages themselves are for this origin only.
      const page = await fetch(`${url}/`, { headers: { origin: SITE } });
      assert.equal(page.headers.get('access-control-allow-origin'), null);
      await page.body?.cancel();
    },
  );
});

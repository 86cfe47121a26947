/**
 * The package as a developer installs it from the registry: `npm pack`, then `npm install` of the
 * tarball into an empty project, then every entry point and CLI command run from that project.
 * Needs the build (`npm run build`, which `npm test` runs first) and the npm registry (or its cache).
 *
 * better-sqlite3's native binding is the one exception to "as a user gets it": its install script
 * compiles for minutes where no prebuilt binary can be downloaded, so the install runs with
 * --ignore-scripts and the binding this checkout already built (same version, same Node) is copied in.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../support/api.js';

const ROOT = process.cwd();
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, APIVIDEO_API_KEY: '' } });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** A long-running command of the installed CLI; resolves its URL once it prints it. */
function start(
  cwd: string,
  args: string[],
  pattern: RegExp,
): Promise<{ url: string; child: ChildProcessWithoutNullStreams }> {
  // Its own process group: `npm exec` does not pass SIGTERM on to the command it runs.
  const child = spawn(NPM, ['exec', '--no', '--', 'video-uploader', ...args], {
    cwd,
    env: { ...process.env, APIVIDEO_API_KEY: '' },
    detached: true,
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

describe(
  'the packed package, installed into an empty project',
  { skip: !existsSync('dist/cdn/video-uploader.min.js') && 'run `npm run build` first' },
  () => {
    let work: string;
    let project: string;
    let files: string[];
    const children: ChildProcessWithoutNullStreams[] = [];
    let started = 0;

    before(async () => {
      started = performance.now();
      work = tempDir('vu-pack-');
      project = join(work, 'site');
      mkdirSync(project);
      const packed = JSON.parse(run(NPM, ['pack', '--json', '--pack-destination', work], ROOT)) as [
        { filename: string; files: { path: string }[] },
      ];
      files = packed[0].files.map((file) => file.path);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'site', private: true, type: 'module' }));
      run(
        NPM,
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--ignore-scripts',
          join(work, packed[0].filename),
          'react@18',
        ],
        project,
      );
      const binding = join(
        dirname(createRequire(join(ROOT, 'package.json')).resolve('better-sqlite3/package.json')),
        'build',
      );
      cpSync(binding, join(project, 'node_modules/better-sqlite3/build'), { recursive: true });
    });

    after(async () => {
      await Promise.all(children.map(stop));
      if (work) rmSync(work, { recursive: true, force: true });
      console.log(`# npm pack + install + checks: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    });

    it('packs what the commands and the docs need, and nothing of tests or benches', () => {
      for (const path of [
        'package.json',
        'README.md',
        'LICENSE',
        'bin/video-uploader.js',
        'custom-elements.json',
        'docs/issuer.md',
        'docs/uploading.png',
        'demo/index.html',
        'demo/demo.js',
        'demo/demo.css',
        'demo/favicon.svg',
        'dist/cdn/video-uploader.min.js',
        'dist/element/index.js',
        'dist/cli/main.js',
      ]) {
        assert.ok(files.includes(path), `${path} is packed`);
      }
      const stray = files.filter(
        (path) => /^(test|bench|tools|scripts|src|\.ci)\//.test(path) || /\.test\./.test(path),
      );
      assert.deepEqual(stray, []);
      // Every file the README links to is in the package.
      const readme = readFileSync('README.md', 'utf8');
      for (const [, link] of readme.matchAll(/\]\(((?:docs|demo)\/[^)#]+)\)/g)) {
        assert.ok(files.includes(link), `README links to ${link}, which is packed`);
      }
      const pkg = JSON.parse(readFileSync(join(project, 'node_modules/video-uploader/package.json'), 'utf8'));
      assert.match(pkg.repository.url, /github\.com/);
      assert.match(pkg.homepage, /^https:\/\//);
      assert.match(pkg.bugs.url, /^https:\/\//);
      assert.ok(pkg.keywords.length > 3);
    });

    it('runs every entry point from the project', () => {
      const script = `
        import assert from 'node:assert/strict';
        // The element, imported where there is no DOM (server rendering, types).
        const element = await import('video-uploader');
        assert.equal(typeof element.VideoUploader, 'function');
        assert.equal(typeof element.registerLocale, 'function');
        const react = await import('video-uploader/react');
        const { createElement } = await import('react');
        assert.equal(createElement(react.VideoUploader, { tokenUrl: '/t' }).props.tokenUrl, '/t');
        const { UploadSession } = await import('video-uploader/upload');
        assert.equal(typeof UploadSession, 'function');
        const protocol = await import('video-uploader/protocol');
        assert.equal(typeof protocol, 'object');
        const { readFileSync } = await import('node:fs');
        const { createRequire } = await import('node:module');
        const require = createRequire(import.meta.url);
        assert.ok(readFileSync(require.resolve('video-uploader/custom-elements.json'), 'utf8').includes('video-uploader'));
        assert.ok(require.resolve('video-uploader/cdn/video-uploader.min.js').endsWith('dist/cdn/video-uploader.min.js'));

        // The local API, then an issuer against it, served by the node adapter: a real token.
        const { startVideoApiServer } = await import('video-uploader/server');
        const { createTokenIssuer } = await import('video-uploader/issuer');
        const { serveTokenIssuer, toNodeHandler } = await import('video-uploader/issuer/node');
        assert.equal(typeof toNodeHandler, 'function');
        const { mkdtempSync, rmSync } = await import('node:fs');
        const dataDir = mkdtempSync('data-');
        const api = await startVideoApiServer({ apiKey: 'pack-key', dataDir, port: 0 });
        const issuer = await serveTokenIssuer(createTokenIssuer({ apiKey: 'pack-key', apiUrl: api.url }));
        const response = await fetch(issuer.url, { method: 'POST' });
        assert.equal(response.status, 200);
        const grant = await response.json();
        assert.match(grant.token, /^to/);
        assert.equal(grant.apiUrl, api.url);
        await issuer.close();
        await api.close();
        rmSync(dataDir, { recursive: true, force: true });
        console.log('entry points ok');
      `;
      writeFileSync(join(project, 'check.mjs'), script);
      assert.match(run(process.execPath, ['check.mjs'], project), /entry points ok/);
    });

    it('runs the CLI: --version, --help, and each command', async () => {
      assert.equal(run(NPM, ['exec', '--no', '--', 'video-uploader', '--version'], project).trim(), version);
      assert.match(run(NPM, ['exec', '--no', '--', 'video-uploader', '--help'], project), /Commands:/);

      const server = await start(
        project,
        ['server', '--port', '0', '--api-key', 'pack-key', '--data-dir', 'server-data', '--quiet'],
        /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      );
      children.push(server.child);
      const token = await fetch(`${server.url}/upload-tokens`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('pack-key:').toString('base64')}` },
        body: '{"ttl":60}',
      });
      assert.equal(token.status, 200);
      await token.body?.cancel();

      const issuer = await start(
        project,
        ['issuer', '--port', '0', '--api-key', 'pack-key', '--api-url', server.url, '--quiet'],
        /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      );
      children.push(issuer.child);
      const grant = await fetch(issuer.url, { method: 'POST' });
      assert.equal(grant.status, 200);
      assert.equal(((await grant.json()) as { apiUrl: string }).apiUrl, server.url);
    });

    it('serves the demo page and the CDN file with `npx video-uploader dev`', async () => {
      const dev = await start(project, ['dev', '--port', '0', '--quiet'], /Demo\s+(http:\/\/127\.0\.0\.1:\d+)\//);
      children.push(dev.child);
      const page = await fetch(`${dev.url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await page.text(), /<video-uploader\b/);
      const cdn = await fetch(`${dev.url}/cdn/video-uploader.min.js`);
      assert.equal(cdn.status, 200);
      assert.match(cdn.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(
        await cdn.text(),
        readFileSync(join(project, 'node_modules/video-uploader/dist/cdn/video-uploader.min.js'), 'utf8'),
      );
      const favicon = await fetch(`${dev.url}/favicon.svg`);
      assert.equal(favicon.status, 200);
      await favicon.body?.cancel();
    });
  },
);

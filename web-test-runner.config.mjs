import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

/**
 * Browser tests run against the real local video API, started here in a child process.
 * The API key stays in this Node process: browser tests get tokens through server commands.
 */
function videoApiPlugin() {
  let child;
  let api;
  return {
    name: 'video-api',
    async serverStart() {
      child = spawn(process.execPath, ['--import', 'tsx', 'test/support/start-api.ts'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: child.stdout });
      api = await new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`local video API exited with ${code}`)));
        lines.once('line', (line) => resolve(JSON.parse(line)));
      });
    },
    async serverStop() {
      child?.stdin.end();
      child?.kill('SIGTERM');
    },
    async executeCommand({ command, payload }) {
      if (command === 'video-api') return { url: api.url };
      if (command === 'mint-token') {
        const response = await fetch(`${api.url}/upload-tokens`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${api.apiKey}:`).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ ttl: payload?.ttl ?? 600 }),
        });
        return await response.json();
      }
      return undefined;
    },
  };
}

export default {
  files: 'test/browser/**/*.test.ts',
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 60000 } },
  testsFinishTimeout: 10 * 60 * 1000,
  plugins: [
    videoApiPlugin(),
    esbuildPlugin({ ts: true, target: 'es2021', tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
          '--disable-component-update', '--disable-sync', '--no-first-run'],
      },
    }),
  ],
};

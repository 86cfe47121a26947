/** The local video API in a child process, for tests that kill it (SIGKILL) and start it again. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { basic } from './api.js';

const SCRIPT = fileURLToPath(new URL('./start-api.ts', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  authed(path: string, init?: RequestInit): Promise<Response>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
}

/**
 * Starts `test/support/start-api.ts` on a data directory that outlives it; on `port` when given
 * (a restart after a kill keeps the address clients know), else on a free one.
 */
export async function startServerProcess(dataDir: string, apiKey: string, port = 0): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { ...process.env, VIDEO_UPLOADER_DATA_DIR: dataDir, APIVIDEO_API_KEY: apiKey, PORT: String(port) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    child,
    url,
    port: Number(new URL(url).port),
    authed: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', basic(apiKey));
      if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(url + path, { ...init, headers });
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

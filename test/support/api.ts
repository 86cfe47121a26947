/** Node-side test helpers: a real local video API on loopback with a throwaway data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVideoApiServer, type RunningServer, type StartOptions } from '../../src/server/app.js';

export const TEST_API_KEY = 'test-api-key-9f2c1d7e4b';

export interface TestApi extends RunningServer {
  apiKey: string;
  dataDir: string;
  /** fetch against the API with HTTP Basic auth (the key as user, empty password). */
  authed(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

export const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

export function tempDir(prefix = 'vu-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestApi(options: Partial<StartOptions> = {}): Promise<TestApi> {
  const dataDir = options.dataDir ?? tempDir();
  const apiKey = options.apiKey ?? TEST_API_KEY;
  const running = await startVideoApiServer({
    ...options,
    apiKey,
    dataDir,
    port: options.port ?? 0,
    host: '127.0.0.1',
  });
  return {
    ...running,
    apiKey,
    dataDir,
    authed: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', basic(apiKey));
      if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(running.url + path, { ...init, headers });
    },
    stop: async () => {
      await running.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

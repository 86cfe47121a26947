/** The test server's gate on the upload engine's module (test/support/wtr-engine-gate.mjs). */
import { executeServerCommand } from '@web/test-runner-commands';

export type GateLog = Array<{ path: string; query: string; at: number }>;

export const gate = (payload: {
  /** The lazily imported module: the element's upload engine (the default), or the words of a failed token request. */
  module?: 'engine' | 'diagnosis';
  mode?: 'open' | 'hold' | 'fail';
  reset?: boolean;
}): Promise<GateLog> => executeServerCommand<GateLog, typeof payload>('engine-gate', payload);

/**
 * The page's engine loader as if the page had just loaded: test files share one page, so an earlier file may
 * have loaded the engine already. The engine's module gets new URLs, so the browser fetches it anew.
 */
export async function freshEngineLoader(): Promise<void> {
  (globalThis as { __engineGatePage?: string }).__engineGatePage = String(Math.random()).slice(2);
  const loader = (await import('../../../src/element/controllers/engine-loader.js')) as unknown as {
    __resetEngineLoader(): void;
  };
  loader.__resetEngineLoader();
}

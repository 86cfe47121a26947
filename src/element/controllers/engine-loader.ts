import type * as Engine from '../engine.js';
import { addEnglish } from '../strings.js';

/** The upload engine's module (engine.ts), imported when an element connects. */
export type EngineModule = typeof Engine;

/**
 * The engine's file relative to the module that holds this loader: the URL that `import('../engine.js')` loads in
 * the CDN build, which sets it to its engine chunk. Left empty (npm build), the site's bundler loads the engine;
 * its chunk loader forgets a failed chunk, so the next import fetches it anew.
 */
const ENGINE_FILE = '' as string;

let pending: Promise<EngineModule> | null = null;

/**
 * In the CDN build the engine's file is fetched before it is imported, so that a failed load (offline, a CDN
 * error) never reaches the module map: a browser that keeps a failed import() failed for its URL (Firefox does)
 * would otherwise refuse the engine until the page reloads, and with it every chunk that imports the engine by
 * that same URL (the recorder's, tus's, the token words'). The import then comes from the HTTP cache.
 */
async function importEngine(): Promise<EngineModule> {
  if (ENGINE_FILE) {
    const response = await fetch(new URL(ENGINE_FILE, import.meta.url));
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  }
  return import('../engine.js');
}

/**
 * The upload engine, loaded once for every element of the page: the first call starts the import, later
 * calls share it. A failed load is forgotten, so that the next call (the visitor's "Try again") loads it again.
 */
export function loadEngine(): Promise<EngineModule> {
  pending ??= importEngine().then(
    (engine) => {
      // The English words of an upload come with the engine: the catalogue is whole before anyone uses it.
      addEnglish(engine.englishUpload);
      return engine;
    },
    (error: unknown) => {
      pending = null;
      throw error;
    },
  );
  return pending;
}

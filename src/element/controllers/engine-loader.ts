import type * as Engine from '../engine.js';
import { addEnglish } from '../strings.js';

/** The upload engine's module (engine.ts), imported when an element connects. */
export type EngineModule = typeof Engine;

/**
 * The engine's file relative to the module that holds this loader, fetched again with a new query after a
 * failed load: a browser keeps a failed `import()` failed for its URL. The CDN build sets it to its engine
 * chunk; left empty (npm build), a retry imports the same specifier again and the bundler's chunk loader,
 * which forgets failed chunks, fetches it anew.
 */
const ENGINE_RETRY_FILE = '' as string;

let pending: Promise<EngineModule> | null = null;
let attempts = 0;

function importEngine(attempt: number): Promise<EngineModule> {
  if (attempt > 0 && ENGINE_RETRY_FILE) {
    const url = `${new URL(ENGINE_RETRY_FILE, import.meta.url).href}?retry=${attempt}`;
    return import(/* @vite-ignore */ /* webpackIgnore: true */ url) as Promise<EngineModule>;
  }
  return import('../engine.js');
}

/**
 * The upload engine, loaded once for every element of the page: the first call starts the import, later
 * calls share it. A failed load is forgotten, so that the next call (the visitor's "Try again") loads it again.
 */
export function loadEngine(): Promise<EngineModule> {
  pending ??= importEngine(attempts++).then(
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

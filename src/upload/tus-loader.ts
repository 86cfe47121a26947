import { UploadError } from './errors.js';
import type { Transport } from './transport.js';

/**
 * The tus transport, with tus-js-client, loaded on first use: pages that upload with `apivideo` never
 * fetch them. A failed load (offline, a CDN error, a CSP) is a retryable network error.
 */
export async function loadTusTransport(): Promise<Transport> {
  try {
    const { TusTransport } = await import('./tus-transport.js');
    return new TusTransport();
  } catch (error) {
    throw new UploadError(
      'network',
      `The tus client could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

import { canceledError, UploadError } from './errors.js';
import { watchStall } from './stall.js';
import { markUnreadRefusal, RequestWatch } from './unread-refusal.js';

export interface XhrResult {
  status: number;
  body: string;
  header(name: string): string | null;
}

export interface XhrOptions {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body: XMLHttpRequestBodyInit;
  signal: AbortSignal;
  /** Bytes of the request body sent so far, and the body's total. */
  onUploadProgress?: (loaded: number, total: number) => void;
  /** Milliseconds without any progress after which the request is aborted; 0 for none. */
  stallTimeout: number;
}

/**
 * One request over XMLHttpRequest, the only browser API that reports upload progress within a
 * request. Resolves with any HTTP answer; rejects with a retryable `network` error when the
 * connection drops or stalls (marked when it may hide a refusal: see unread-refusal.ts), and with a
 * `canceled` error when `signal` aborts.
 */
export function sendXhr(options: XhrOptions): Promise<XhrResult> {
  return new Promise((resolve, reject) => {
    const { signal, stallTimeout } = options;
    if (signal.aborted) return reject(canceledError());
    const xhr = new XMLHttpRequest();
    const watchdog = watchStall(stallTimeout, () => xhr.abort());
    const cleanup = (): void => {
      watchdog.stop();
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      xhr.abort();
    };
    xhr.open(options.method, options.url, true);
    for (const [name, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      watchdog.arm();
      options.onUploadProgress?.(event.loaded, event.lengthComputable ? event.total : 0);
    };
    xhr.onprogress = watchdog.arm;
    xhr.onreadystatechange = watchdog.arm;
    xhr.onload = () => {
      cleanup();
      resolve({ status: xhr.status, body: xhr.responseText, header: (name) => xhr.getResponseHeader(name) });
    };
    const watch = new RequestWatch(xhr);
    xhr.onerror = () => {
      cleanup();
      const error = new UploadError('network', 'The connection to the video API was lost.', { retryable: true });
      reject(watch.looksLikeUnreadRefusal() ? markUnreadRefusal(error) : error);
    };
    xhr.onabort = () => {
      cleanup();
      reject(watchdog.stalled ? watchdog.error() : canceledError());
    };
    xhr.ontimeout = xhr.onerror;
    signal.addEventListener('abort', onAbort, { once: true });
    watchdog.arm();
    xhr.send(options.body);
  });
}

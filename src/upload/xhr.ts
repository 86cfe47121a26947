import { canceledError, UploadError } from './errors.js';

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
 * connection drops or stalls, and with a `canceled` error when `signal` aborts.
 */
export function sendXhr(options: XhrOptions): Promise<XhrResult> {
  return new Promise((resolve, reject) => {
    const { signal, stallTimeout } = options;
    if (signal.aborted) return reject(canceledError());
    const xhr = new XMLHttpRequest();
    let stallTimer: ReturnType<typeof setTimeout> | null = null;
    let stalled = false;
    const cleanup = (): void => {
      if (stallTimer !== null) clearTimeout(stallTimer);
      stallTimer = null;
      signal.removeEventListener('abort', onAbort);
    };
    const armStall = (): void => {
      if (!stallTimeout) return;
      if (stallTimer !== null) clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        stalled = true;
        xhr.abort();
      }, stallTimeout);
    };
    const onAbort = (): void => {
      xhr.abort();
    };
    xhr.open(options.method, options.url, true);
    for (const [name, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      armStall();
      options.onUploadProgress?.(event.loaded, event.lengthComputable ? event.total : 0);
    };
    xhr.onprogress = armStall;
    xhr.onreadystatechange = armStall;
    xhr.onload = () => {
      cleanup();
      resolve({ status: xhr.status, body: xhr.responseText, header: (name) => xhr.getResponseHeader(name) });
    };
    xhr.onerror = () => {
      cleanup();
      reject(new UploadError('network', 'The connection to the video API was lost.', { retryable: true }));
    };
    xhr.onabort = () => {
      cleanup();
      if (stalled) {
        reject(new UploadError('network', `No upload progress for ${Math.round(stallTimeout / 1000)} s: the connection stalled.`, { retryable: true }));
      } else reject(canceledError());
    };
    xhr.ontimeout = xhr.onerror;
    signal.addEventListener('abort', onAbort, { once: true });
    armStall();
    xhr.send(options.body);
  });
}

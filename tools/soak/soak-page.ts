/**
 * The browser side of the fault soak: bundled with the element and the upload engine, served to
 * headless Chromium. Each upload is a lane: a `<video-uploader>` or a bare `UploadSession` behind a
 * file input that the Node side fills with `setInputFiles`, so the bytes come from a file on disk.
 */
import '../../src/element/index.js';
import type { VideoUploader } from '../../src/element/index.js';
import { UploadSession } from '../../src/upload/index.js';
import type { Video } from '../../src/protocol/index.js';

export interface LaneOptions {
  id: string;
  /** `element` drives `<video-uploader>`; `engine` drives `UploadSession` with a stall timeout. */
  mode: 'element' | 'engine';
  tokenUrl: string;
  chunkSize: number;
  retries: number;
  /** Engine lanes only: ms without progress before a part is aborted and sent again. */
  stallTimeout?: number;
  /** Engine lanes only: parts in flight. */
  parallel?: number;
}

export interface LaneResult {
  /** `hung`: set by the Node side when the time ran out. */
  status: 'waiting' | 'running' | 'complete' | 'error' | 'hung';
  videoId?: string;
  error?: string;
  retries: number;
  /** The error behind the latest retry. */
  lastRetry?: string;
  tokens: number;
  refreshes: number;
  startedAt?: number;
  endedAt?: number;
}

const results: Record<string, LaneResult> = {};

function add(options: LaneOptions): void {
  const result: LaneResult = { status: 'waiting', retries: 0, tokens: 0, refreshes: 0 };
  results[options.id] = result;
  const started = (): void => {
    result.status = 'running';
    result.startedAt = Date.now();
  };
  const completed = (video: Video): void => {
    result.status = 'complete';
    result.videoId = video.videoId;
    result.endedAt = Date.now();
  };
  const failed = (message: string): void => {
    result.status = 'error';
    result.error = message;
    result.endedAt = Date.now();
  };
  const retried = (message: string): void => {
    result.retries++;
    result.lastRetry = message;
  };
  const token = (refreshed: boolean): void => {
    result.tokens++;
    if (refreshed) result.refreshes++;
  };

  if (options.mode === 'element') {
    const element = document.createElement('video-uploader') as VideoUploader;
    element.id = `lane-${options.id}`;
    element.tokenUrl = options.tokenUrl;
    element.chunkSize = options.chunkSize;
    element.retries = options.retries;
    element.addEventListener('video-upload-start', started);
    element.addEventListener('video-upload-complete', (event) => completed(event.detail.video));
    element.addEventListener('video-upload-error', (event) =>
      failed(`${event.detail.error.code}: ${event.detail.error.message}`),
    );
    element.addEventListener('video-upload-retry', (event) => retried(event.detail.error.message));
    element.addEventListener('video-upload-token', (event) => token(event.detail.refreshed));
    document.body.append(element);
    return;
  }

  const input = document.createElement('input');
  input.type = 'file';
  input.id = `lane-${options.id}`;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    const session = new UploadSession({
      tokenUrl: options.tokenUrl,
      chunkSize: options.chunkSize,
      retries: options.retries,
      ...(options.stallTimeout === undefined ? {} : { stallTimeout: options.stallTimeout }),
      ...(options.parallel === undefined ? {} : { parallel: options.parallel }),
    });
    session.addEventListener('complete', (event) => completed(event.detail.video));
    session.addEventListener('error', (event) => failed(`${event.detail.error.code}: ${event.detail.error.message}`));
    session.addEventListener('retry', (event) => retried(event.detail.error.message));
    session.addEventListener('token', (event) => token(event.detail.refreshed));
    started();
    session.start(file);
  });
  document.body.append(input);
}

declare global {
  interface Window {
    soak: { add: typeof add; results: typeof results };
  }
}

window.soak = { add, results };

import { UploadSession } from '../../upload/session.js';
import type {
  UploadErrorLike,
  UploadEvent,
  UploadEventMap,
  UploadSessionOptions,
  UploadState,
} from '../../upload/types.js';
import { readDuration } from '../duration.js';
import { DURATION_TIMEOUT_MS } from '../file-checks.js';
import { readPoster } from '../poster.js';
import {
  VideoUploadCompleteEvent,
  VideoUploadErrorEvent,
  VideoUploadPlayableEvent,
  VideoUploadPauseEvent,
  VideoUploadProgressEvent,
  VideoUploadResumeEvent,
  VideoUploadRetryEvent,
  VideoUploadStartEvent,
  VideoUploadTokenEvent,
} from '../events.js';
import { formatPercent } from '../format.js';
import type { VideoUploaderStrings } from '../strings.js';
import type { LocalizeController } from './localize.js';
import type { Completed, Upload, UploadSettings, UploadView } from './upload.js';
import { errorText } from '../error-text.js';
import { typedFieldValues } from '../fields.js';
import { watchPlayable } from '../playable.js';

const MILESTONES = [25, 50, 75];
const BUSY: ReadonlySet<UploadState> = new Set(['authorizing', 'uploading', 'retrying', 'paused']);

/** The codes a developer fixes; each is told once per page in the console, with what to do. */
const DEVELOPER_CODES: ReadonlySet<string> = new Set([
  'token-missing',
  'api-url-missing',
  'token-invalid',
  'token-endpoint-missing',
  'token-endpoint-unreachable',
  'token-endpoint-cors',
  'token-endpoint-not-json',
  'token-endpoint-refused',
]);
const warned = new Set<string>();

/** Tells the developer, once per page and message, what went wrong and what to fix. */
function warnDeveloper(error: UploadErrorLike): void {
  if (!DEVELOPER_CODES.has(error.code) || warned.has(error.message)) return;
  warned.add(error.message);
  console.warn(`<video-uploader> ${error.code}: ${error.message}`);
}

/** Re-renders every second while a busy server's wait runs, so that the seconds left count down. */
function countDown(run: SessionRun, delayMs: number): void {
  const timer = setInterval(() => {
    if (run.signal.aborted || run.view().state !== 'retrying') clearInterval(timer);
    else run.set({});
  }, 1000);
  setTimeout(() => clearInterval(timer), delayMs + 1000);
}

/** What the upload controller lends to the run of one session. */
export interface SessionRun {
  host: EventTarget & UploadSettings;
  localize: LocalizeController;
  /** Aborts when the upload is cleared or replaced: the session's later events are ignored. */
  signal: AbortSignal;
  view(): UploadView;
  set(changes: Partial<UploadView>): void;
  announce(message: string): void;
  /** Starts the next file of the queue. */
  start(next: Upload): void;
}

/**
 * Watches an uploaded video until the video API says it can be watched, then marks its entry and fires
 * `video-upload-playable`. Stops when the upload is cleared (the run's signal) or the time limit passes.
 */
function followPlayable(run: SessionRun, entry: Completed): void {
  const { file, video } = entry;
  watchPlayable(video, run.signal, run.host.playableTimeout, (playable) => {
    const completed = run.view().completed.map((e) => (e.video.videoId === video.videoId ? { ...e, playable } : e));
    run.set({ completed });
    if (playable !== 'hls' && playable !== 'mp4') return;
    run.announce(run.localize.text.announcePlayable(file.name));
    run.host.dispatchEvent(new VideoUploadPlayableEvent({ file, video, via: playable }));
  });
}

/**
 * Turns what one session reports into the element's view, announcements and events. Part of the engine's
 * chunk (engine.ts): it runs only once a session exists.
 */
function followSession(session: UploadSession, upload: Upload, run: SessionRun): void {
  let lastMilestone = 0;
  const { file } = upload;
  const { host, signal } = run;
  const text = (): VideoUploaderStrings => run.localize.text;
  const on = <K extends keyof UploadEventMap>(type: K, handle: (detail: UploadEventMap[K]) => void): void => {
    session.addEventListener(type, (event: UploadEvent<K>) => {
      if (!signal.aborted) handle(event.detail);
    });
  };
  on('statechange', ({ state }) => {
    if (state !== 'canceled') run.set({ state });
  });
  on('token', ({ grant, refreshed }) => host.dispatchEvent(new VideoUploadTokenEvent({ file, grant, refreshed })));
  on('start', ({ resumedBytes }) => {
    run.announce(text().announceStart(file.name));
    host.dispatchEvent(new VideoUploadStartEvent({ file, resumedBytes }));
  });
  on('progress', (progress) => {
    run.set({ progress, lastRetry: null });
    const milestone = MILESTONES.filter((m) => progress.percent >= m).at(-1) ?? 0;
    if (milestone > lastMilestone) {
      lastMilestone = milestone;
      run.announce(text().announceProgress(formatPercent(milestone, run.localize.locale)));
    }
    host.dispatchEvent(new VideoUploadProgressEvent({ file, progress }));
  });
  on('retry', (detail) => {
    run.set({ lastRetry: { ...detail, at: Date.now() } });
    if (detail.error.code === 'rate-limited') countDown(run, detail.delayMs);
    host.dispatchEvent(new VideoUploadRetryEvent({ file, ...detail }));
  });
  on('pause', ({ progress }) => {
    run.set({ progress });
    run.announce(text().paused);
    host.dispatchEvent(new VideoUploadPauseEvent({ file, progress }));
  });
  on('resume', ({ progress }) => {
    run.set({ error: null });
    run.announce(text().uploading);
    host.dispatchEvent(new VideoUploadResumeEvent({ file, progress }));
  });
  on('complete', ({ video }) => {
    const entry: Completed = { file, video, playable: 'waiting' };
    const completed = host.multiple ? [...run.view().completed, entry] : [entry];
    run.set({ completed, progress: session.progress });
    run.announce(text().announceComplete(file.name));
    host.dispatchEvent(new VideoUploadCompleteEvent({ file, video }));
    followPlayable(run, entry);
    const [next, ...rest] = run.view().queue;
    if (next) {
      run.set({ queue: rest });
      run.start(next);
    } else if (host.multiple) {
      // The list of uploaded videos shows every file, this one included.
      run.set({ current: null });
    }
  });
  on('error', ({ error }) => {
    warnDeveloper(error);
    run.set({ error });
    run.announce(errorText(run.localize.text, error));
    host.dispatchEvent(new VideoUploadErrorEvent({ file, error }));
  });
}

/** The engine's options from the element's settings (unset ones keep the engine's defaults). */
function sessionOptions(host: UploadSettings): UploadSessionOptions {
  const options: UploadSessionOptions = { protocol: host.protocol };
  // Unset, the engine uses the production API for grants without `apiUrl`, and refuses a static token.
  if (host.apiUrl) options.apiUrl = host.apiUrl;
  if (host.token) options.token = host.token;
  if (host.tokenProvider) options.tokenProvider = host.tokenProvider;
  if (host.tokenUrl) options.tokenUrl = host.tokenUrl;
  const fields = typedFieldValues(host.typedFields);
  if (fields) options.fields = fields;
  if (host.chunkSize !== null && host.chunkSize > 0) options.chunkSize = host.chunkSize;
  if (host.retries !== null && host.retries >= 0) options.retries = host.retries;
  if (host.stallTimeout !== null && host.stallTimeout > 0) options.stallTimeout = host.stallTimeout * 1000;
  return options;
}

/**
 * Uploads one file in a new session, followed by `followSession`; while it runs, reads the file's duration
 * (when the checks did not) and a frame to show beside its name. The run's abort cancels a busy session.
 */
export function startUpload(upload: Upload, run: SessionRun): UploadSession {
  const session = new UploadSession(sessionOptions(run.host));
  const { signal } = run;
  signal.addEventListener('abort', () => {
    if (BUSY.has(session.state)) session.cancel();
  });
  followSession(session, upload, run);
  if (typeof document !== 'undefined') {
    const { file } = upload;
    if (upload.duration === null) {
      void readDuration(file, DURATION_TIMEOUT_MS).then((duration) => {
        const current = run.view().current;
        if (duration !== null && !signal.aborted && current?.file === file)
          run.set({ current: { ...current, duration } });
      });
    }
    void readPoster(file).then((poster) => {
      if (!poster) return;
      const current = run.view().current;
      if (signal.aborted || current?.file !== file) return URL.revokeObjectURL(poster.url);
      run.set({ current: { ...current, poster } });
    });
  }
  session.start(upload.file);
  return session;
}

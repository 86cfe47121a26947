/**
 * The text of `<video-uploader>`: one typed catalogue, English, French, German, Spanish and Japanese
 * built in, `registerLocale()` to add or amend a language, and the `strings` property to override any entry.
 * English ships in the main module as far as the element shows it before a file is picked; the rest of it
 * comes with the upload engine, which the element loads as soon as it is on the page. The other built-in
 * languages are loaded on first use, so that pages in one language do not download four others.
 */
import { loadEngine } from './controllers/engine-loader.js';
import first from './locales/en.js';

/** Every text the element shows or announces. Values already formatted (sizes, durations, percents) come in as strings. */
export interface VideoUploaderStrings {
  /** Drop-zone label. */
  dropLabel: string;
  /** Drop-zone label with `multiple`. */
  dropLabelMultiple: string;
  /** Between the drop-zone label and the button. */
  or: string;
  /** File button. */
  choose: string;
  /** File button with `multiple`. */
  chooseMultiple: string;
  /** Buttons next to the file button, with `sources` camera / screen; the native camera app on touch devices. */
  recordCamera: string;
  recordScreen: string;
  captureNative: string;
  /** Shown while a file is dragged over the drop zone. */
  dropHere: string;
  /** Limit hint under the button, e.g. "Up to 2 GB". */
  maxSize: (size: string) => string;
  /** Limit hint under the button, e.g. "10 min at most". */
  maxDuration: (duration: string) => string;
  /** While the file is checked and a token is obtained. */
  preparing: string;
  /** Accessible name of the progress bar. */
  progressLabel: (fileName: string) => string;
  uploading: string;
  /** E.g. "2 min left". */
  timeLeft: (duration: string) => string;
  /** While a failed part waits to be sent again. */
  retrying: (attempt: number, retries: number) => string;
  paused: string;
  pause: string;
  resume: string;
  cancel: string;
  retry: string;
  /** Button in the done and canceled states. */
  uploadAnother: string;
  complete: string;
  /** Link to the video's player page. */
  openVideo: string;
  canceled: string;
  /** Files waiting in the queue with `multiple`. */
  queued: (count: number) => string;
  /** Accessible name of the button that takes a waiting file out of the queue. */
  removeFromQueue: (fileName: string) => string;
  /** Announced when a waiting file was taken out of the queue. */
  removedFromQueue: (fileName: string) => string;
  /** Cancel during a batch: cancel only this file, or every file still to upload. */
  cancelQuestion: string;
  cancelThisFile: string;
  cancelAll: string;
  keepUploading: string;
  /** Heading of the files the element refused, with `multiple`. */
  refusedFiles: string;
  /** Live-region announcements, at milestones only. */
  announceStart: (fileName: string) => string;
  announceProgress: (percent: string) => string;
  announceComplete: (fileName: string) => string;
  /** Labels of the fields the visitor may fill before choosing a file (`fields="title description"`). */
  fieldTitle: string;
  fieldDescription: string;
  /** After the upload, while the video API processes the video. */
  processing: string;
  /** The video can be watched. */
  playable: string;
  /** The video API took longer than `playable-timeout` to process the video. */
  playableTimeout: string;
  /** The video API could not process the video. */
  playableFailed: string;
  /** Live-region announcement when a video can be watched. */
  announcePlayable: (fileName: string) => string;
  /** Accessible name of the inline player. */
  playerLabel: (fileName: string) => string;
  /** Validation message when `required` and no video was uploaded. */
  valueMissing: string;
  /** Validation message while an upload runs, so that a form is not submitted half-way. */
  uploadInProgress: string;
  /** Refusals by the element's checks: what happened and what to do. */
  /** The file's type is not in `accept` (the pattern is given for custom texts; the built-in ones do not show it). */
  errorFileType: (accept: string) => string;
  errorFileTooLarge: (size: string, max: string) => string;
  errorFileTooLong: (duration: string, max: string) => string;
  /** The video API refused the file's type or size. */
  errorFileRefused: string;
  /** Upload failures by error code: what happened and what to do. */
  errorTokenRequestFailed: string;
  errorTokenInvalid: string;
  errorTokenExpired: string;
  errorUnauthorized: string;
  errorNetwork: string;
  errorServer: string;
  errorRateLimited: string;
  errorCanceled: string;
  errorProtocol: string;
  /** The file's first bytes are not those of any video container (a text, an image, an archive). */
  errorNotVideo: string;
  /** The page is set up wrong (no token endpoint, a wrong one, CORS, no api-url): only the site can fix it. */
  errorSetup: string;
  /** The site's token endpoint refused this visitor (401/403). */
  errorTokenRefused: string;
  /** The site's token endpoint could not be reached. */
  errorTokenUnreachable: string;
  /** The site's token endpoint is busy and said how long to wait, e.g. "12 sec". */
  waitingBusy: (duration: string) => string;
  /** The browser is offline: the upload waits and continues by itself. */
  offline: string;
  /** After a reload: an upload that did not finish, and how far it got. */
  interrupted: (fileName: string, percent: string) => string;
}

/** English: the words of the first chunk, then those of an upload once the engine has added them. */
let en: Partial<VideoUploaderStrings> = first;
const catalogue = new Map<string, Partial<VideoUploaderStrings>>([['en', {}]]);
const listeners = new Set<() => void>();

type LocaleModule = Promise<{ default: VideoUploaderStrings }>;
const builtIn: Record<string, () => LocaleModule> = {
  fr: () => import('./locales/fr.js'),
  de: () => import('./locales/de.js'),
  es: () => import('./locales/es.js'),
  ja: () => import('./locales/ja.js'),
};
const loading = new Map<string, Promise<void>>();

const notify = (): void => {
  for (const listener of listeners) listener();
};

/** The English words of an upload, added when the engine's chunk has loaded (controllers/engine-loader.ts). */
export function addEnglish(strings: Partial<VideoUploaderStrings>): void {
  en = { ...en, ...strings };
  notify();
}

/**
 * Loads a built-in language (`fr`, `de`, `es`, `ja`, by primary subtag); elements re-render once it is there.
 * Elements call it themselves; a page may await it first to show no English at all. For English it resolves
 * once the engine's chunk has brought the words of an upload; at once for languages that are not built in.
 * A load that failed (offline) is tried again on the next call.
 */
export function loadLocale(lang: string): Promise<void> {
  const primary = lang.toLowerCase().split('-')[0];
  if (primary === 'en') return loadEngine().then(() => undefined);
  const load = builtIn[primary];
  if (!load) return Promise.resolve();
  let pending = loading.get(primary);
  if (!pending) {
    pending = load().then(
      ({ default: strings }) => {
        // Entries registered before the built-in ones arrived keep precedence.
        catalogue.set(primary, { ...strings, ...catalogue.get(primary) });
        notify();
      },
      (error: unknown) => {
        loading.delete(primary);
        throw error;
      },
    );
    loading.set(primary, pending);
  }
  return pending;
}

/**
 * Adds a language, or amends one (entries are merged over what is registered). Missing entries fall back to
 * the primary language (`fr` for `fr-CA`), then to English. Elements on the page re-render.
 */
export function registerLocale(lang: string, strings: Partial<VideoUploaderStrings>): void {
  const key = lang.toLowerCase();
  catalogue.set(key, { ...catalogue.get(key), ...strings });
  notify();
}

/** Called on every `registerLocale()`; returns the function that stops listening. */
export function onLocaleRegistered(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The catalogue for a BCP 47 tag: English, under the primary language, under the exact tag (a built-in
 * language once loaded). English is whole once the engine has loaded (`await loadLocale('en')`).
 */
export function stringsFor(lang: string): VideoUploaderStrings {
  const exact = lang.toLowerCase();
  const primary = exact.split('-')[0];
  return { ...en, ...catalogue.get('en'), ...catalogue.get(primary), ...catalogue.get(exact) } as VideoUploaderStrings;
}

/** Whether a language has built-in or registered strings. */
export function hasLocale(lang: string): boolean {
  const exact = lang.toLowerCase();
  const primary = exact.split('-')[0];
  return catalogue.has(exact) || catalogue.has(primary) || primary in builtIn;
}

/**
 * What only an upload needs, in one module that the element imports lazily (controllers/engine-loader.ts):
 * the upload engine, the English words of an upload (added to the catalogue by the loader, not by a side
 * effect of this module, which bundlers may skip: it is marked free of side effects), the duration and
 * poster readers, the first-bytes check, the lookup of an upload left unfinished, what keeps an upload
 * alive (keep-alive.ts), and the views of a picked file with their styles.
 * The CDN build ships it as `video-uploader-engine.min.js`, next to `video-uploader.min.js`.
 */
export { startUpload } from './controllers/session-view.js';
export { checkFile } from './file-checks.js';
export { lastInterruptedUpload } from '../upload/resume-store.js';
export { KeepAliveController } from './controllers/keep-alive.js';
export { ControlsController } from './controllers/controls.js';
export * as views from './upload-views.template.js';
export { default as englishUpload } from './locales/en-upload.js';

/**
 * What only an upload needs, in one module that the element imports lazily (controllers/engine-loader.ts): the
 * upload engine, its English error messages, the duration reader and the lookup of an upload left unfinished.
 * The CDN build ships it as `video-uploader-engine.min.js`, next to `video-uploader.min.js`.
 */
export { UploadSession } from '../upload/session.js';
export { readDuration } from './duration.js';
export { readPoster } from './poster.js';
export { followSession } from './controllers/session-view.js';
export { lastInterruptedUpload } from '../upload/resume-store.js';

export { VideoUploader, type VideoUploaderState } from './video-uploader.js';
export * from './events.js';
export { registerLocale, loadLocale, stringsFor, hasLocale, type VideoUploaderStrings } from './strings.js';
export { formatBytes, formatDuration, formatPercent, formatSpeed } from './format.js';

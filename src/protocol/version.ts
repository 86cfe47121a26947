// Generated from package.json by scripts/sync-version.mjs; do not edit.
export const PACKAGE_VERSION = '0.1.0';
/** The `AV-Origin-Client` header value the element sends. */
export const ORIGIN_CLIENT = 'video-uploader:0.1.0';

/**
 * The events `<video-uploader>` fires: one class each, with a typed `detail`, bubbling and composed
 * so that a listener on `document` or on a form hears them through shadow roots.
 */
import type { TokenGrant, Video } from '../protocol/index.js';
import type { UploadErrorLike, UploadProgress } from '../upload/types.js';

const init = { bubbles: true, composed: true } as const;

/** Cancelable: fired for each file that passed the element's checks, before it is uploaded. Call `preventDefault()` to refuse it. */
export class VideoUploadSelectEvent extends Event {
  static readonly eventName = 'video-upload-select';
  readonly detail: { readonly file: File; readonly duration: number | null };
  constructor(detail: { file: File; duration: number | null }) {
    super(VideoUploadSelectEvent.eventName, { ...init, cancelable: true });
    this.detail = detail;
  }
}

/** The upload of a file began; `resumedBytes` is above 0 when an earlier upload of the same file is continued. */
export class VideoUploadStartEvent extends Event {
  static readonly eventName = 'video-upload-start';
  readonly detail: { readonly file: File; readonly resumedBytes: number };
  constructor(detail: { file: File; resumedBytes: number }) {
    super(VideoUploadStartEvent.eventName, init);
    this.detail = detail;
  }
}

/** Bytes were sent; at most every 100 ms. */
export class VideoUploadProgressEvent extends Event {
  static readonly eventName = 'video-upload-progress';
  readonly detail: { readonly file: File; readonly progress: UploadProgress };
  constructor(detail: { file: File; progress: UploadProgress }) {
    super(VideoUploadProgressEvent.eventName, init);
    this.detail = detail;
  }
}

/** A part failed for a reason a retry can fix; it is sent again after `delayMs`. */
export class VideoUploadRetryEvent extends Event {
  static readonly eventName = 'video-upload-retry';
  readonly detail: {
    readonly file: File;
    readonly attempt: number;
    readonly retries: number;
    readonly delayMs: number;
    readonly error: UploadErrorLike;
  };
  constructor(detail: VideoUploadRetryEvent['detail']) {
    super(VideoUploadRetryEvent.eventName, init);
    this.detail = detail;
  }
}

/** The upload was paused. */
export class VideoUploadPauseEvent extends Event {
  static readonly eventName = 'video-upload-pause';
  readonly detail: { readonly file: File; readonly progress: UploadProgress };
  constructor(detail: { file: File; progress: UploadProgress }) {
    super(VideoUploadPauseEvent.eventName, init);
    this.detail = detail;
  }
}

/** A paused upload continues. */
export class VideoUploadResumeEvent extends Event {
  static readonly eventName = 'video-upload-resume';
  readonly detail: { readonly file: File; readonly progress: UploadProgress };
  constructor(detail: { file: File; progress: UploadProgress }) {
    super(VideoUploadResumeEvent.eventName, init);
    this.detail = detail;
  }
}

/** An upload token was obtained; `refreshed` is true when it replaces one that expired or was refused. */
export class VideoUploadTokenEvent extends Event {
  static readonly eventName = 'video-upload-token';
  readonly detail: { readonly file: File; readonly grant: TokenGrant; readonly refreshed: boolean };
  constructor(detail: { file: File; grant: TokenGrant; refreshed: boolean }) {
    super(VideoUploadTokenEvent.eventName, init);
    this.detail = detail;
  }
}

/** The video API accepted the whole file; `video` is what it returned. */
export class VideoUploadCompleteEvent extends Event {
  static readonly eventName = 'video-upload-complete';
  readonly detail: { readonly file: File; readonly video: Video };
  constructor(detail: { file: File; video: Video }) {
    super(VideoUploadCompleteEvent.eventName, init);
    this.detail = detail;
  }
}

/**
 * The uploaded video can be watched: the video API serves it (`via` `hls`, its HLS rendition, or `mp4`, its
 * MP4 file). Fired once per video, after `video-upload-complete`, when the service has processed it.
 */
export class VideoUploadPlayableEvent extends Event {
  static readonly eventName = 'video-upload-playable';
  readonly detail: { readonly file: File; readonly video: Video; readonly via: 'hls' | 'mp4' };
  constructor(detail: { file: File; video: Video; via: 'hls' | 'mp4' }) {
    super(VideoUploadPlayableEvent.eventName, init);
    this.detail = detail;
  }
}

/** A file was refused by the element's checks, or its upload failed. `file` is null only when no file was involved. */
export class VideoUploadErrorEvent extends Event {
  static readonly eventName = 'video-upload-error';
  readonly detail: { readonly file: File | null; readonly error: UploadErrorLike };
  constructor(detail: { file: File | null; error: UploadErrorLike }) {
    super(VideoUploadErrorEvent.eventName, init);
    this.detail = detail;
  }
}

/** The upload was canceled, by the user or through `cancel()`. */
export class VideoUploadCancelEvent extends Event {
  static readonly eventName = 'video-upload-cancel';
  readonly detail: { readonly file: File };
  constructor(detail: { file: File }) {
    super(VideoUploadCancelEvent.eventName, init);
    this.detail = detail;
  }
}

/** Recording began (camera or screen); its parts are uploaded while it records. */
export class VideoUploadRecordStartEvent extends Event {
  static readonly eventName = 'video-upload-record-start';
  readonly detail: { readonly source: 'camera' | 'screen'; readonly mimeType: string };
  constructor(detail: { source: 'camera' | 'screen'; mimeType: string }) {
    super(VideoUploadRecordStartEvent.eventName, init);
    this.detail = detail;
  }
}

/** Recording stopped (Stop, the time limit, or the end of screen sharing); `duration` in seconds. The upload finishes after it. */
export class VideoUploadRecordStopEvent extends Event {
  static readonly eventName = 'video-upload-record-stop';
  readonly detail: { readonly source: 'camera' | 'screen'; readonly duration: number; readonly bytes: number };
  constructor(detail: { source: 'camera' | 'screen'; duration: number; bytes: number }) {
    super(VideoUploadRecordStopEvent.eventName, init);
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'video-upload-select': VideoUploadSelectEvent;
    'video-upload-start': VideoUploadStartEvent;
    'video-upload-progress': VideoUploadProgressEvent;
    'video-upload-retry': VideoUploadRetryEvent;
    'video-upload-pause': VideoUploadPauseEvent;
    'video-upload-resume': VideoUploadResumeEvent;
    'video-upload-token': VideoUploadTokenEvent;
    'video-upload-complete': VideoUploadCompleteEvent;
    'video-upload-playable': VideoUploadPlayableEvent;
    'video-upload-error': VideoUploadErrorEvent;
    'video-upload-cancel': VideoUploadCancelEvent;
    'video-upload-record-start': VideoUploadRecordStartEvent;
    'video-upload-record-stop': VideoUploadRecordStopEvent;
  }
}

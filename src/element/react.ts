/**
 * `<VideoUploader>` for React 18 and later: the custom element through `@lit/react`, with typed event props.
 *
 * ```tsx
 * <VideoUploader tokenUrl="/api/upload-token" onVideoUploadComplete={(e) => save(e.detail.video.videoId)} />
 * ```
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import type {
  VideoUploadCancelEvent,
  VideoUploadCompleteEvent,
  VideoUploadErrorEvent,
  VideoUploadPlayableEvent,
  VideoUploadPauseEvent,
  VideoUploadProgressEvent,
  VideoUploadResumeEvent,
  VideoUploadRetryEvent,
  VideoUploadSelectEvent,
  VideoUploadStartEvent,
  VideoUploadTokenEvent,
} from './events.js';
import { VideoUploader as VideoUploaderElement } from './video-uploader.js';

export const VideoUploader = createComponent({
  tagName: 'video-uploader',
  elementClass: VideoUploaderElement,
  react: React,
  displayName: 'VideoUploader',
  events: {
    onVideoUploadSelect: 'video-upload-select' as EventName<VideoUploadSelectEvent>,
    onVideoUploadStart: 'video-upload-start' as EventName<VideoUploadStartEvent>,
    onVideoUploadToken: 'video-upload-token' as EventName<VideoUploadTokenEvent>,
    onVideoUploadProgress: 'video-upload-progress' as EventName<VideoUploadProgressEvent>,
    onVideoUploadRetry: 'video-upload-retry' as EventName<VideoUploadRetryEvent>,
    onVideoUploadPause: 'video-upload-pause' as EventName<VideoUploadPauseEvent>,
    onVideoUploadResume: 'video-upload-resume' as EventName<VideoUploadResumeEvent>,
    onVideoUploadComplete: 'video-upload-complete' as EventName<VideoUploadCompleteEvent>,
    onVideoUploadPlayable: 'video-upload-playable' as EventName<VideoUploadPlayableEvent>,
    onVideoUploadError: 'video-upload-error' as EventName<VideoUploadErrorEvent>,
    onVideoUploadCancel: 'video-upload-cancel' as EventName<VideoUploadCancelEvent>,
  },
});

export type VideoUploaderProps = React.ComponentProps<typeof VideoUploader>;

'use client';
/**
 * The field in the entry form. Without a video: `<video-uploader>`, which gets its tokens from the
 * plugin's token route with the admin's own session cookie. With one: its player, title and id, and
 * "Replace" and "Remove". While an upload runs, the field is invalid with the element's own message,
 * so the CMS refuses to save.
 */
import { Button, FieldDescription, FieldLabel, useConfig, useField } from '@payloadcms/ui';
import type { JSONFieldClientComponent } from 'payload';
import React, { useCallback, useEffect, useRef, useState } from 'react';
import {
  pendingMessage,
  TOKEN_PATH,
  VIDEO_PATH,
  type PendingUpload,
  type StoredVideo,
  type VideoDetails,
} from '../types';
import { css } from './styles';

interface UploaderElement extends HTMLElement {
  readonly validity: ValidityState;
  readonly validationMessage: string;
  readonly updateComplete: Promise<boolean>;
  disabled: boolean;
}

interface CompleteDetail {
  video: { videoId: string; title?: string; assets?: { thumbnail?: string } };
}

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'video-uploader': React.DetailedHTMLProps<React.HTMLAttributes<HTMLElement>, HTMLElement> & {
        'token-url'?: string;
        accept?: string;
        disabled?: boolean;
      };
    }
  }
}

/** Events after which the element may have started or stopped uploading. */
const STATE_EVENTS = [
  'video-upload-select',
  'video-upload-token',
  'video-upload-start',
  'video-upload-pause',
  'video-upload-resume',
  'video-upload-retry',
  'video-upload-complete',
  'video-upload-error',
  'video-upload-cancel',
] as const;

function formatDuration(seconds: number | undefined): string | null {
  if (seconds === undefined || !Number.isFinite(seconds)) return null;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The file's duration from its metadata, read by a detached `<video>`; undefined when the browser cannot tell. */
function readDuration(file: File, timeoutMs = 5_000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const video = document.createElement('video');
    const url = URL.createObjectURL(file);
    const finish = (duration: number | undefined): void => {
      clearTimeout(timer);
      video.onloadedmetadata = video.onerror = null;
      video.removeAttribute('src');
      video.load();
      URL.revokeObjectURL(url);
      resolve(duration !== undefined && Number.isFinite(duration) ? duration : undefined);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    video.preload = 'metadata';
    video.muted = true;
    video.onloadedmetadata = () => finish(video.duration);
    video.onerror = () => finish(undefined);
    video.src = url;
  });
}

function VideoPreview({ api, video }: { api: string; video: StoredVideo }): React.ReactElement {
  const [details, setDetails] = useState<VideoDetails | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setDetails(null);
    setProblem(null);
    fetch(`${api}${VIDEO_PATH}/${encodeURIComponent(video.videoId)}`, {
      credentials: 'include',
      signal: controller.signal,
    })
      .then(async (response) => {
        if (response.ok) return setDetails((await response.json()) as VideoDetails);
        const body = (await response.json().catch(() => null)) as { title?: string } | null;
        setProblem(body?.title ?? 'The video cannot be shown.');
      })
      .catch(() => {
        if (!controller.signal.aborted) setProblem('The video cannot be shown right now.');
      });
    return () => controller.abort();
  }, [api, video.videoId]);

  if (problem)
    return (
      <div className="vu-field__player vu-field__notice" role="status">
        {problem}
      </div>
    );
  if (!details) return <div className="vu-field__player" aria-busy="true" />;
  if (details.assets.mp4) {
    return (
      <video
        className="vu-field__player"
        controls
        preload="auto"
        src={details.assets.mp4}
        aria-label={details.title || video.title || 'Video'}
      />
    );
  }
  if (details.assets.player) {
    return (
      <iframe
        className="vu-field__player vu-field__frame"
        src={details.assets.player}
        title={details.title || 'Video player'}
        allowFullScreen
      />
    );
  }
  return <div className="vu-field__player vu-field__notice">The video is still being processed.</div>;
}

export const VideoField: JSONFieldClientComponent = ({ field, path: pathFromProps, readOnly }) => {
  const { config } = useConfig();
  const api = `${config.serverURL ?? ''}${config.routes.api}`;
  const uploaderRef = useRef<UploaderElement | null>(null);
  const durationRef = useRef<Promise<number | undefined>>(Promise.resolve(undefined));
  const [defined, setDefined] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [replacing, setReplacing] = useState(false);
  const required = field.required === true;

  // The same rule as on the server, where Payload validates before saving.
  const validate = useCallback(
    (value: unknown): string | true => {
      const pending = pendingMessage(value);
      if (pending) return pending;
      if (required && !(value as StoredVideo | null)?.videoId) return 'A video is required.';
      return true;
    },
    [required],
  );

  const { value, setValue, showError, errorMessage, path } = useField<StoredVideo | PendingUpload | null>({
    path: pathFromProps,
    validate,
  });
  const valueRef = useRef(value);
  valueRef.current = value;
  const video = value && 'videoId' in value && value.videoId ? value : null;
  const showUploader = !video || replacing;

  useEffect(() => {
    // The element registers itself on import; it needs the browser, so it loads here rather than on the server.
    void import('video-uploader').then(() => customElements.whenDefined('video-uploader')).then(() => setDefined(true));
  }, []);

  const handleEvent = useCallback(
    (event: Event) => {
      const element = event.currentTarget as UploaderElement;
      if (event.type === 'video-upload-select') {
        const { file, duration } = (event as CustomEvent<{ file: File; duration: number | null }>).detail;
        durationRef.current = duration !== null ? Promise.resolve(duration) : readDuration(file);
      }
      if (event.type === 'video-upload-complete') {
        const uploaded = (event as CustomEvent<CompleteDetail>).detail.video;
        const stored: StoredVideo = { videoId: uploaded.videoId };
        if (uploaded.title) stored.title = uploaded.title;
        if (uploaded.assets?.thumbnail) stored.thumbnail = uploaded.assets.thumbnail;
        void durationRef.current.then((duration) => {
          if (duration !== undefined) stored.duration = Math.round(duration * 1000) / 1000;
          setUploading(false);
          setReplacing(false);
          setValue(stored);
        });
        return;
      }
      // The element is invalid while it uploads; the form value says so until the upload ends.
      void element.updateComplete.then(() => {
        const busy = !element.validity.valid && element.validity.customError;
        setUploading(busy);
        const current = valueRef.current;
        const pending = current !== null && current !== undefined && 'pending' in current;
        if (busy && !pending) {
          setValue({ pending: element.validationMessage, previous: current && 'videoId' in current ? current : null });
        } else if (!busy && pending) {
          setValue(current.previous);
        }
      });
    },
    [setValue],
  );

  useEffect(() => {
    const element = uploaderRef.current;
    if (!defined || !showUploader || !element) return;
    for (const name of STATE_EVENTS) element.addEventListener(name, handleEvent);
    return () => {
      for (const name of STATE_EVENTS) element.removeEventListener(name, handleEvent);
    };
  }, [defined, showUploader, handleEvent]);

  const label = typeof field.label === 'string' ? field.label : field.name;
  const duration = formatDuration(video?.duration);

  return (
    <div className="field-type vu-field" data-video-field={path}>
      <style>{css}</style>
      <FieldLabel label={field.label ?? field.name} path={path} required={required} />
      {video && !replacing ? (
        <div className="vu-field__video">
          <VideoPreview api={api} video={video} />
          <div className="vu-field__meta">
            <span className="vu-field__title">{video.title || 'Untitled video'}</span>
            {duration ? <span className="vu-field__facts">{duration}</span> : null}
            <span className="vu-field__facts">
              Video ID{' '}
              <code className="vu-field__id" data-video-id={video.videoId}>
                {video.videoId}
              </code>
            </span>
            {readOnly ? null : (
              <div className="vu-field__actions">
                <Button buttonStyle="secondary" size="small" margin={false} onClick={() => setReplacing(true)}>
                  Replace
                </Button>
                <Button buttonStyle="secondary" size="small" margin={false} onClick={() => setValue(null)}>
                  Remove
                </Button>
              </div>
            )}
          </div>
        </div>
      ) : (
        <>
          <video-uploader
            ref={uploaderRef}
            token-url={`${api}${TOKEN_PATH}`}
            accept="video/*"
            disabled={readOnly || undefined}
            aria-label={label}
          />
          {replacing ? (
            <div className="vu-field__actions">
              <Button
                buttonStyle="secondary"
                size="small"
                margin={false}
                disabled={uploading}
                onClick={() => setReplacing(false)}
              >
                Keep the current video
              </Button>
            </div>
          ) : null}
        </>
      )}
      {showError && errorMessage ? (
        <div className="vu-field__error" role="alert">
          {errorMessage}
        </div>
      ) : null}
      <FieldDescription description={field.admin?.description} path={path} />
    </div>
  );
};

/**
 * The recorder: camera or screen to a progressive upload, with preview, timer, device choice, time limit,
 * playback after stop, retry and save after a failure, and word when the uploaded recording can be watched.
 * Loaded on the first click on a Record button, so that pages where nobody records never download it.
 */
import type { ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import type { Video } from '../../protocol/index.js';
import { RecordingSession, type RecordingSessionOptions } from '../../upload/recording-session.js';
import type { TokenProvider, UploadErrorLike } from '../../upload/types.js';
import {
  VideoUploadCompleteEvent,
  VideoUploadErrorEvent,
  VideoUploadPlayableEvent,
  VideoUploadRecordStartEvent,
  VideoUploadRecordStopEvent,
} from '../events.js';
import { formatDuration } from '../format.js';
import { recorderStringsFor, type RecorderStrings } from '../recorder.strings.js';
import { renderRecorder } from '../recorder.template.js';
import type { LocalizeController } from './localize.js';
import type { PlayableStatus } from './upload.js';
import { errorText } from '../error-text.js';
import { typedFieldValues } from '../fields.js';
import { watchPlayable } from '../playable.js';

export type RecordSource = 'camera' | 'screen';
export type RecorderPhase = 'starting' | 'setup' | 'recording' | 'finishing' | 'complete' | 'error' | 'blocked';

/** What the recorder reads from the element. */
export interface RecorderHost extends ReactiveControllerHost, HTMLElement {
  tokenUrl: string;
  token: string;
  tokenProvider: TokenProvider | undefined;
  apiUrl: string;
  playableTimeout: number | null;
  /** What the visitor typed in the `fields` before recording: sent with the token request, as for a file. */
  readonly typedFields: Readonly<Record<string, string>>;
  retries: number | null;
  stallTimeout: number | null;
  maxDuration: number | null;
  recorderMimeType: string;
  recorderOptions: Partial<RecordingSessionOptions>;
  strings: object;
}

/** Seconds before the time limit at which the warning shows. */
const WARN_SECONDS = 10;

export class RecorderController implements ReactiveController {
  readonly host: RecorderHost;
  readonly localize: LocalizeController;
  source: RecordSource = 'camera';
  phase: RecorderPhase | null = null;
  stream: MediaStream | null = null;
  session: RecordingSession | null = null;
  /** Why recording cannot go on (permission, device); plain words. */
  message = '';
  /** Shown when the limit stopped the recording. */
  notice = '';
  failure: UploadErrorLike | null = null;
  cameras: MediaDeviceInfo[] = [];
  microphones: MediaDeviceInfo[] = [];
  cameraId = '';
  microphoneId = '';
  mirrored = false;
  playbackUrl = '';
  /** The whole recording, to save after a failure. */
  saveUrl = '';
  saveName = '';
  announcement = '';
  video: Video | null = null;
  /** Once uploaded: whether the video API can play the recording yet, as for a file. */
  playable: PlayableStatus | null = null;
  #watch: AbortController | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #onDone: (video: Video | null) => void;

  constructor(host: RecorderHost, localize: LocalizeController, onDone: (video: Video | null) => void) {
    this.host = host;
    this.localize = localize;
    this.#onDone = onDone;
    host.addController(this);
  }

  get text(): RecorderStrings {
    return recorderStringsFor(this.localize.locale, this.host.strings);
  }

  get active(): boolean {
    return this.phase !== null;
  }

  hostDisconnected(): void {
    this.close();
  }

  /** Asks for the camera (then shows the set-up view) or the screen (then records at once). */
  async open(source: RecordSource): Promise<void> {
    this.close();
    this.source = source;
    this.phase = 'starting';
    this.host.requestUpdate();
    try {
      if (source === 'screen') {
        this.stream = await this.#screenStream();
        this.#start();
      } else {
        await this.#openCamera();
        this.phase = 'setup';
      }
    } catch (error) {
      this.#blocked(error);
    }
    this.host.requestUpdate();
  }

  async #screenStream(): Promise<MediaStream> {
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    // The voice over the screen, when a microphone is there and allowed; the screen alone otherwise.
    try {
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      return new MediaStream([...screen.getVideoTracks(), ...mic.getAudioTracks()]);
    } catch {
      return screen;
    }
  }

  async #openCamera(): Promise<void> {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: this.cameraId
        ? { deviceId: { exact: this.cameraId } }
        : { width: { ideal: 1280 }, height: { ideal: 720 } },
      audio:
        this.microphoneId === 'none' ? false : this.microphoneId ? { deviceId: { exact: this.microphoneId } } : true,
    });
    const facing = this.stream.getVideoTracks()[0]?.getSettings().facingMode;
    this.mirrored = facing === undefined || facing === 'user';
    // Labels and ids only come once access is granted.
    const devices = await navigator.mediaDevices.enumerateDevices();
    this.cameras = devices.filter((d) => d.kind === 'videoinput');
    this.microphones = devices.filter((d) => d.kind === 'audioinput');
    this.cameraId ||= this.stream.getVideoTracks()[0]?.getSettings().deviceId ?? '';
    this.microphoneId ||= this.stream.getAudioTracks()[0]?.getSettings().deviceId ?? '';
  }

  /** A device picked in the set-up view. */
  async choose(kind: 'camera' | 'microphone', id: string): Promise<void> {
    if (kind === 'camera') this.cameraId = id;
    else this.microphoneId = id;
    try {
      await this.#openCamera();
    } catch (error) {
      this.#blocked(error);
    }
    this.host.requestUpdate();
  }

  #blocked(error: unknown): void {
    const text = this.text;
    const name = error instanceof Error ? error.name : '';
    this.phase = 'blocked';
    this.message =
      name === 'NotAllowedError' || name === 'SecurityError'
        ? this.source === 'screen'
          ? text.screenDenied
          : text.permissionDenied
        : name === 'NotFoundError' || name === 'OverconstrainedError'
          ? text.noCamera
          : name === 'NotReadableError'
            ? text.deviceBusy
            : text.startFailed;
    this.announcement = this.message;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }

  /** Starts recording the stream that is open. */
  record(): void {
    if (this.phase === 'setup' && this.stream) this.#start();
  }

  #start(): void {
    const host = this.host;
    const fields = typedFieldValues(host.typedFields);
    const session = new RecordingSession({
      ...(host.tokenUrl ? { tokenUrl: host.tokenUrl } : {}),
      ...(host.token ? { token: host.token } : {}),
      ...(host.tokenProvider ? { tokenProvider: host.tokenProvider } : {}),
      apiUrl: host.apiUrl,
      ...(fields ? { fields } : {}),
      ...(host.retries !== null ? { retries: host.retries } : {}),
      ...(host.stallTimeout !== null ? { stallTimeout: host.stallTimeout * 1000 } : {}),
      ...(host.recorderMimeType ? { mimeType: host.recorderMimeType } : {}),
      ...host.recorderOptions,
    });
    this.session = session;
    this.notice = '';
    this.failure = null;
    const update = (): void => host.requestUpdate();
    session.addEventListener('progress', update);
    session.addEventListener('retry', update);
    session.addEventListener('statechange', ({ detail }) => {
      if (this.session !== session) return;
      if (detail.state === 'finishing') this.phase = 'finishing';
      if (detail.state === 'recording') this.phase = 'recording';
      update();
    });
    session.addEventListener('stop', ({ detail }) => {
      if (this.session !== session) return;
      this.#stopTimer();
      for (const track of this.stream?.getTracks() ?? []) track.stop();
      const file = session.recording();
      if (file) this.playbackUrl = URL.createObjectURL(file);
      const seconds = detail.durationMs / 1000;
      this.announcement = this.text.announceStopped(formatDuration(Math.round(seconds), this.localize.locale));
      host.dispatchEvent(
        new VideoUploadRecordStopEvent({ source: this.source, duration: seconds, bytes: detail.bytes }),
      );
      update();
    });
    session.addEventListener('complete', ({ detail }) => {
      if (this.session !== session) return;
      this.phase = 'complete';
      this.video = detail.video;
      // One File for both events: `recording()` makes a new one at each call.
      const file = session.recording() ?? new File([], 'recording');
      this.announcement = this.localize.text.announceComplete(file.name);
      host.dispatchEvent(new VideoUploadCompleteEvent({ file, video: detail.video }));
      this.#onDone(detail.video);
      this.#watchPlayable(detail.video, file);
      update();
    });
    session.addEventListener('error', ({ detail }) => {
      if (this.session !== session) return;
      this.phase = 'error';
      this.failure = detail.error;
      const file = session.recording();
      if (file) {
        if (this.saveUrl) URL.revokeObjectURL(this.saveUrl);
        this.saveUrl = URL.createObjectURL(file);
        this.saveName = file.name;
      }
      this.announcement = errorText(this.localize.text, detail.error);
      host.dispatchEvent(new VideoUploadErrorEvent({ file: session.recording(), error: detail.error }));
      update();
    });
    try {
      session.start(this.stream!);
    } catch (error) {
      // The override names a type this browser cannot record: a developer error, one console line.
      console.error(`[video-uploader] recorder-mime-type: ${error instanceof Error ? error.message : String(error)}`);
      this.#blocked(error);
      return;
    }
    this.phase = 'recording';
    this.announcement = this.text.announceRecording;
    host.dispatchEvent(new VideoUploadRecordStartEvent({ source: this.source, mimeType: session.mimeType }));
    this.#timer = setInterval(() => this.#tick(), 250);
    update();
  }

  /** Seconds left before the time limit, or null without one. */
  get secondsLeft(): number | null {
    const max = this.host.maxDuration;
    if (!max || !this.session) return null;
    return Math.max(0, Math.ceil(max - this.session.durationMs / 1000));
  }

  get warnAt(): number {
    const max = this.host.maxDuration ?? 0;
    return Math.min(WARN_SECONDS, Math.ceil(max / 3));
  }

  #tick(): void {
    const left = this.secondsLeft;
    if (left !== null && this.session && this.session.durationMs >= (this.host.maxDuration ?? 0) * 1000) {
      this.notice = this.text.limitReached;
      this.stop();
    } else if (left !== null && left === this.warnAt) {
      this.announcement = this.text.stopsIn(left);
    }
    this.host.requestUpdate();
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  stop(): void {
    this.session?.stop();
  }

  retry(): void {
    if (this.session?.retry()) {
      this.failure = null;
      this.phase = this.session.state === 'recording' ? 'recording' : 'finishing';
      this.host.requestUpdate();
    }
  }

  /** Watches the uploaded recording until the video API can play it, then says so and fires `video-upload-playable`. */
  #watchPlayable(video: Video, file: File): void {
    const watch = new AbortController();
    this.#watch = watch;
    this.playable = 'waiting';
    watchPlayable(video, watch.signal, this.host.playableTimeout, (playable) => {
      this.playable = playable;
      if (playable === 'hls' || playable === 'mp4') {
        this.announcement = this.localize.text.announcePlayable(file.name);
        this.host.dispatchEvent(new VideoUploadPlayableEvent({ file, video, via: playable }));
      }
      this.host.requestUpdate();
    });
  }

  /** Cancels any recording and upload and goes back to the element's idle view. */
  close(): void {
    this.#watch?.abort();
    this.#watch = null;
    this.playable = null;
    this.#stopTimer();
    this.session?.cancel();
    this.session = null;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    if (this.playbackUrl) URL.revokeObjectURL(this.playbackUrl);
    this.playbackUrl = '';
    if (this.saveUrl) URL.revokeObjectURL(this.saveUrl);
    this.saveUrl = '';
    const wasActive = this.phase !== null;
    this.phase = null;
    this.message = '';
    this.notice = '';
    this.failure = null;
    if (wasActive) this.host.requestUpdate();
  }

  /** Cancel: drops the recording. */
  cancel(): void {
    this.close();
    this.#onDone(null);
  }

  render(): TemplateResult {
    return renderRecorder(this);
  }
}

/**
 * Media work in the background, when ffmpeg is installed: each uploaded source is probed (into
 * `encoding.metadata`), gets a JPEG thumbnail and an HLS rendition. One video at a time, never in
 * the way of an upload's answer; work cut short by a stop starts again at the next start. Without
 * ffmpeg, videos are marked `unavailable`: the source mp4 stays playable, thumbnail and HLS URLs say why.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EncodingMetadata } from '../protocol/index.js';
import type { MediaStore } from './media-store.js';
import type { VideoFiles } from './video-files.js';
import type { VideoStore } from './video-store.js';

export interface MediaOptions {
  /** The ffmpeg command or path; `false` runs without media work. Default `ffmpeg` (on PATH). */
  ffmpeg?: string | false;
  /** The ffprobe command or path. Default `ffprobe` (on PATH). */
  ffprobe?: string;
}

/** Longest time one ffmpeg run may take before it is stopped and the video marked failed. */
const RUN_LIMIT_MS = 30 * 60_000;
/** Tallest HLS rendition. */
const MAX_HEIGHT = 720;

export const hlsDir = (files: VideoFiles, id: string): string => join(files.dir(id), 'hls');
export const thumbnailPath = (files: VideoFiles, id: string): string => join(files.dir(id), 'thumbnail.jpg');
export const customThumbnailPath = (files: VideoFiles, id: string): string => join(files.dir(id), 'thumbnail.custom');

export class MediaWorker {
  readonly #videos: VideoStore;
  readonly #media: MediaStore;
  readonly #files: VideoFiles;
  readonly #ffmpeg: string | false;
  readonly #ffprobe: string;
  readonly #queue: string[] = [];
  readonly #children = new Set<ChildProcess>();
  #available: Promise<boolean>;
  #running = false;
  #closed = false;
  /** Per video, the thumbnail work in progress: a frame picked and the background one never interleave. */
  readonly #thumbnailWork = new Map<string, Promise<void>>();

  constructor(videos: VideoStore, media: MediaStore, files: VideoFiles, options: MediaOptions = {}) {
    this.#videos = videos;
    this.#media = media;
    this.#files = files;
    this.#ffmpeg = options.ffmpeg ?? 'ffmpeg';
    this.#ffprobe = options.ffprobe ?? 'ffprobe';
    this.#available = this.#ffmpeg === false ? Promise.resolve(false) : this.#check(this.#ffmpeg, this.#ffprobe);
  }

  /** True once known that ffmpeg and ffprobe run. */
  available(): Promise<boolean> {
    return this.#available;
  }

  /** Queues the videos whose work a previous process did not finish. */
  resume(): void {
    for (const id of this.#media.pending()) this.enqueue(id);
  }

  enqueue(id: string): void {
    if (this.#closed || this.#queue.includes(id)) return;
    this.#queue.push(id);
    void this.#drain();
  }

  /** Makes the thumbnail from the frame at `seconds` (the first frame when past the end). */
  async pickThumbnail(id: string, seconds: number): Promise<void> {
    await this.#oneAtATime(id, async () => {
      const duration = this.#media.get(id)?.metadata?.duration ?? null;
      const at = duration !== null && seconds >= duration ? 0 : seconds;
      await this.#thumbnail(id, at);
      await rm(customThumbnailPath(this.#files, id), { force: true });
      // '' marks a picked frame (served from thumbnail.jpg); the background work then keeps it.
      this.#media.setCustomThumbnail(id, '');
    });
  }

  /** Runs `task` after the video's earlier thumbnail work, failed or not. */
  #oneAtATime(id: string, task: () => Promise<void>): Promise<void> {
    const run = (this.#thumbnailWork.get(id) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => {});
    this.#thumbnailWork.set(id, settled);
    void settled.then(() => {
      if (this.#thumbnailWork.get(id) === settled) this.#thumbnailWork.delete(id);
    });
    return run;
  }

  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    for (const child of this.#children) child.kill('SIGKILL');
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const available = await this.#available;
      for (let id = this.#queue.shift(); id !== undefined && !this.#closed; id = this.#queue.shift()) {
        if (!this.#videos.get(id)) continue;
        if (!available) {
          this.#media.set(id, 'unavailable', { detail: 'ffmpeg is not installed on the server.' });
          continue;
        }
        await this.#work(id);
      }
    } finally {
      this.#running = false;
    }
  }

  async #work(id: string): Promise<void> {
    const fail = (detail: string): void => {
      if (!this.#closed && this.#videos.get(id)) this.#media.set(id, 'failed', { detail });
    };
    this.#media.set(id, 'probing');
    let metadata: EncodingMetadata;
    try {
      metadata = await this.#probe(id);
    } catch {
      fail('The source is not a video that ffmpeg can read.');
      return;
    }
    this.#media.set(id, 'encoding', { metadata });
    try {
      // A thumbnail uploaded or picked (even before this work began) is kept: null means none was chosen.
      await this.#oneAtATime(id, async () => {
        if (this.#media.get(id)?.customThumbnail == null) {
          await this.#thumbnail(id, Math.min(1, (metadata.duration ?? 0) / 2));
        }
      });
      await this.#hls(id);
    } catch {
      fail('ffmpeg could not make the rendition of this video.');
      return;
    }
    if (!this.#closed && this.#videos.get(id)) this.#media.set(id, 'encoded', { metadata });
  }

  async #probe(id: string): Promise<EncodingMetadata> {
    const out = await this.#run(this.#ffprobe, [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      this.#files.source(id),
    ]);
    const probed = JSON.parse(out) as {
      streams?: Record<string, string | number | undefined>[];
      format?: { duration?: string; bit_rate?: string };
    };
    const video = probed.streams?.find((s) => s.codec_type === 'video');
    const audio = probed.streams?.find((s) => s.codec_type === 'audio');
    if (!video) throw new Error('no video stream');
    const num = (v: unknown): number | null =>
      v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? null : Number(v);
    const [n, d] = String(video.avg_frame_rate ?? video.r_frame_rate ?? '')
      .split('/')
      .map(Number);
    const duration = num(probed.format?.duration);
    const bitrate = num(probed.format?.bit_rate);
    const width = num(video.width);
    const height = num(video.height);
    const aspect =
      typeof video.display_aspect_ratio === 'string' && video.display_aspect_ratio !== '0:1'
        ? video.display_aspect_ratio.replace(':', '/')
        : width && height
          ? ratio(width, height)
          : null;
    return {
      width,
      height,
      bitrate: bitrate === null ? null : Math.round(bitrate / 10) / 100,
      duration: duration === null ? null : Math.round(duration),
      framerate: n && d ? Math.round(n / d) : null,
      samplerate: num(audio?.sample_rate),
      videoCodec: typeof video.codec_name === 'string' ? video.codec_name : null,
      audioCodec: typeof audio?.codec_name === 'string' ? audio.codec_name : null,
      aspectRatio: aspect,
    };
  }

  #temps = 0;

  async #thumbnail(id: string, seconds: number): Promise<void> {
    if (this.#ffmpeg === false) throw new Error('ffmpeg is not installed');
    const target = thumbnailPath(this.#files, id);
    // Its own temporary file: a thumbnail picked while the background work makes one must not share it.
    const temp = `${target}.${++this.#temps}.tmp.jpg`;
    const args = (at: number): string[] => [
      '-y',
      '-v',
      'error',
      '-ss',
      at.toFixed(3),
      '-i',
      this.#files.source(id),
      '-frames:v',
      '1',
      '-q:v',
      '3',
      temp,
    ];
    const ffmpeg = this.#ffmpeg;
    try {
      await this.#run(ffmpeg, args(seconds));
      await rename(temp, target);
    } catch (error) {
      // Past the last frame ffmpeg writes nothing (or, in some versions, fails): take the first frame instead.
      // A time asked before the probe knew the duration lands here too.
      if (seconds === 0) throw error;
      await this.#run(ffmpeg, args(0));
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async #hls(id: string): Promise<void> {
    const dir = hlsDir(this.#files, id);
    const temp = `${dir}.tmp`;
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    await this.#run(this.#ffmpeg as string, [
      '-y',
      '-v',
      'error',
      '-i',
      this.#files.source(id),
      '-map',
      '0:v:0',
      '-map',
      '0:a:0?',
      '-vf',
      `scale=-2:'min(${MAX_HEIGHT},ih)'`,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-pix_fmt',
      'yuv420p',
      '-threads',
      '1',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-f',
      'hls',
      '-hls_time',
      '4',
      '-hls_playlist_type',
      'vod',
      '-hls_segment_filename',
      join(temp, 'segment%04d.ts'),
      join(temp, 'manifest.m3u8'),
    ]);
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
  }

  #run(command: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        command,
        args,
        { timeout: RUN_LIMIT_MS, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
        (error, stdout) => {
          this.#children.delete(child);
          if (error) reject(error);
          else resolve(stdout);
        },
      );
      this.#children.add(child);
    });
  }

  async #check(ffmpeg: string, ffprobe: string): Promise<boolean> {
    try {
      await this.#run(ffmpeg, ['-version']);
      await this.#run(ffprobe, ['-version']);
      return true;
    } catch {
      // A stop kills the check's ffmpeg: that says nothing about whether it is installed.
      if (!this.#closed) {
        console.warn(
          'video-uploader: ffmpeg/ffprobe not found; thumbnails and HLS are off (install ffmpeg, or pass its path).',
        );
      }
      return false;
    }
  }
}

function ratio(width: number, height: number): string {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(width, height);
  return `${width / g}/${height / g}`;
}

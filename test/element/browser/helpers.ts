/** Helpers for the `<video-uploader>` browser tests: files, drops, tokens from the real local video API. */
import { executeServerCommand } from '@web/test-runner-commands';
import type { UploadToken } from '../../../src/protocol/index.js';
import type { VideoUploader } from '../../../src/element/index.js';

export const MiB = 1024 * 1024;

/** A file of `size` bytes whose content varies, so that a wrong byte would change its hash. */
export function videoFile(name = 'clip.mp4', size = 64 * 1024, type = 'video/mp4'): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return new File([bytes], name, { type, lastModified: Date.now() + Math.random() });
}

/**
 * A real, playable WebM of 1.2 or 2.2 seconds (64×48 VP8, made with ffmpeg's test source), from
 * test/fixtures: committed rather than recorded in the page, as WebKitGTK cannot record here.
 */
export async function fixtureVideo(seconds: 1.2 | 2.2, name = 'recording.webm'): Promise<File> {
  const response = await fetch(`/test/fixtures/clip-${String(seconds).replace('.', '-')}s.webm`);
  if (!response.ok) throw new Error(`fixture clip of ${seconds} s: HTTP ${response.status}`);
  return new File([await response.blob()], name, { type: 'video/webm' });
}

export function part<T extends HTMLElement = HTMLElement>(el: VideoUploader, name: string): T | null {
  return el.shadowRoot!.querySelector<T>(`[part~="${name}"]`);
}

export function text(el: VideoUploader, name: string): string {
  return part(el, name)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

/** Drags `files` over the drop zone and drops them, as a person would with a mouse. */
export function dragOver(el: VideoUploader, files: File[]): DataTransfer {
  const dataTransfer = new DataTransfer();
  for (const file of files) dataTransfer.items.add(file);
  const zone = part(el, 'dropzone')!;
  zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer, bubbles: true, composed: true, cancelable: true }));
  zone.dispatchEvent(new DragEvent('dragover', { dataTransfer, bubbles: true, composed: true, cancelable: true }));
  return dataTransfer;
}

export function drop(el: VideoUploader, files: File[]): void {
  const dataTransfer = dragOver(el, files);
  part(el, 'dropzone')!.dispatchEvent(
    new DragEvent('drop', { dataTransfer, bubbles: true, composed: true, cancelable: true }),
  );
}

/** Picks files through the element's own `<input type=file>`, as the system file picker would. */
export function pick(el: VideoUploader, files: File[]): void {
  const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=file]')!;
  const dataTransfer = new DataTransfer();
  for (const file of files) dataTransfer.items.add(file);
  input.files = dataTransfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

export const videoApi = (): Promise<{ url: string }> => executeServerCommand('video-api');
export const mintToken = (ttl = 600): Promise<UploadToken> => executeServerCommand('mint-token', { ttl });

/**
 * A same-origin token endpoint (the test server's `/__token`). With `bandwidth`, uploads go through the
 * fault proxy capped at that many bytes per second, so that a test can see them in flight.
 */
export async function tokenUrl(options: { bandwidth?: number; rules?: unknown[] } = {}): Promise<string> {
  if (options.bandwidth === undefined && options.rules === undefined) return '/__token';
  await executeServerCommand('fault-proxy', { bandwidth: options.bandwidth, rules: options.rules ?? [] });
  return '/__token?via=proxy';
}

/** Records the `video-upload-*` events an element fires, in order. */
export function recordEvents(el: HTMLElement): Array<{ type: string; detail: Record<string, unknown> }> {
  const events: Array<{ type: string; detail: Record<string, unknown> }> = [];
  for (const type of [
    'select',
    'start',
    'token',
    'progress',
    'retry',
    'pause',
    'resume',
    'complete',
    'error',
    'cancel',
  ]) {
    el.addEventListener(`video-upload-${type}`, (event) => {
      events.push({ type, detail: (event as Event & { detail: Record<string, unknown> }).detail });
    });
  }
  return events;
}

/** Forgets every resume record, so that no earlier upload shows as interrupted. */
export function clearResumeRecords(): void {
  for (const key of Object.keys(localStorage))
    if (key.startsWith('video-uploader:resume:')) localStorage.removeItem(key);
}

/** Collects what the element tells the developer in the console, until `restore()`. */
export function captureWarnings(): { lines: string[]; restore(): void } {
  const original = console.warn;
  const lines: string[] = [];
  console.warn = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  return { lines, restore: () => (console.warn = original) };
}

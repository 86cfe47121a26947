/** `GET /videos/{id}/status`: what arrived of the source, and where the media work stands. */
import type { EncodingMetadata, Quality, ReceivedRange, VideoStatus } from '../protocol/index.js';
import type { MediaRecord } from './media-store.js';
import type { ChunkRecord, VideoRecord } from './video-store.js';

const NO_METADATA: EncodingMetadata = {
  width: null,
  height: null,
  bitrate: null,
  duration: null,
  framerate: null,
  samplerate: null,
  videoCodec: null,
  audioCodec: null,
  aspectRatio: null,
};

/** api.video's quality names, from the rendition's height. */
export function qualityOf(height: number | null): Quality['quality'] {
  const steps = [240, 360, 480, 720, 1080] as const;
  for (const step of steps) if (height !== null && height <= step) return `${step}p`;
  return height === null ? '360p' : '2160p';
}

/**
 * Ingest: `uploading` (also before any byte: never null) → `uploaded` → `ingesting` while ffmpeg
 * makes the rendition → `ingested`. A source ffmpeg cannot read stays `uploaded`, its qualities `failed`.
 */
export function videoStatus(video: VideoRecord, chunks: ChunkRecord[], media: MediaRecord | undefined): VideoStatus {
  const uploaded = video.ingest === 'uploaded';
  const byteTotal = uploaded ? video.filesize : video.rangeKind === 'bytes' ? video.rangeTotal : null;
  const receivedBytes: ReceivedRange[] = [];
  let offset = 0;
  let contiguous = true;
  for (const chunk of chunks) {
    if (video.rangeKind === 'bytes') {
      receivedBytes.push({ from: chunk.key, to: chunk.key + chunk.size - 1, total: byteTotal });
      continue;
    }
    // A part's offset is known only when every part before it has arrived.
    contiguous &&= chunk.key === receivedBytes.length + 1;
    if (!contiguous) break;
    receivedBytes.push({ from: offset, to: offset + chunk.size - 1, total: byteTotal });
    offset += chunk.size;
  }
  if (uploaded && chunks.length === 0 && video.filesize) {
    // Uploaded through tus: one piece.
    receivedBytes.push({ from: 0, to: video.filesize - 1, total: video.filesize });
  }
  const state = uploaded ? (media?.state ?? 'waiting') : undefined;
  let status: VideoStatus['ingest']['status'] = video.ingest ?? 'uploading';
  if (state === 'encoding') status = 'ingesting';
  else if (state === 'encoded' || state === 'unavailable') status = 'ingested';
  const metadata = media?.metadata ?? NO_METADATA;
  const quality = qualityOf(metadata.height);
  const qualities: Quality[] = [];
  if (state === 'encoding' || state === 'encoded' || state === 'failed') {
    const hls = state === 'encoded' ? 'encoded' : state === 'failed' ? 'failed' : 'encoding';
    qualities.push({ type: 'hls', quality, status: hls });
    if (video.mp4Support) qualities.push({ type: 'mp4', quality, status: state === 'failed' ? 'failed' : 'encoded' });
  }
  const playable = state === 'unavailable' || state === 'encoded' || (state === 'encoding' && video.mp4Support);
  return {
    ingest: {
      status,
      filesize: byteTotal,
      receivedBytes,
      receivedParts: {
        parts: video.rangeKind === 'part' ? chunks.map((c) => c.key) : [],
        total: video.rangeKind === 'part' ? video.rangeTotal : null,
      },
    },
    encoding: { playable, qualities, metadata },
  };
}

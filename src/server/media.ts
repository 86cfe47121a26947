/** Wires the video resources: the store, the chunk ingest, media work, `/upload`, `/videos`, `/vod` and tus. */
import type { ApiContext, App } from './context.js';
import { Ingest } from './ingest.js';
import { MediaStore } from './media-store.js';
import { MediaWorker } from './media-worker.js';
import { registerTusRoutes } from './tus.js';
import { registerUploadRoutes } from './upload.js';
import { VideoFiles } from './video-files.js';
import { SqliteVideoStore } from './video-store.js';
import { registerVideoUploadRoutes } from './video-uploads.js';
import { registerVideoRoutes } from './videos.js';
import { registerVodRoutes } from './vod.js';

export interface MediaRoutes {
  ingest: Ingest;
  worker: MediaWorker;
  close(): void;
}

/** The video store, telling the media worker of every source that is complete, whichever route brought it. */
class NotifyingVideoStore extends SqliteVideoStore {
  onUploaded: (id: string) => void = () => {};

  override markUploaded(id: string, filesize: number): void {
    super.markUploaded(id, filesize);
    this.onUploaded(id);
  }
}

export function registerMediaRoutes(app: App, ctx: ApiContext): MediaRoutes {
  const store = new NotifyingVideoStore(ctx.db, ctx.now);
  const files = new VideoFiles(ctx.options.dataDir);
  const ingest = new Ingest(store, files, {
    durable: ctx.options.fsync === true,
    ...(ctx.options.minPartSize === undefined ? {} : { minPartSize: ctx.options.minPartSize }),
  });
  const media = new MediaStore(ctx.db);
  const worker = new MediaWorker(store, media, files, { ffmpeg: ctx.options.ffmpeg, ffprobe: ctx.options.ffprobe });
  store.onUploaded = (id) => worker.enqueue(id);
  ingest.prepare();
  ingest.recover().catch((error: unknown) => {
    console.error('video-uploader: recovering unfinished uploads failed', error instanceof Error ? error.stack : error);
  });
  worker.resume();
  registerUploadRoutes(app, ctx, ingest);
  registerVideoUploadRoutes(app, ctx, ingest, media, worker);
  registerVideoRoutes(app, ctx, ingest, media);
  registerVodRoutes(app, ctx, ingest, media);
  const tus = registerTusRoutes(app, ctx, ingest);
  return {
    ingest,
    worker,
    close: () => {
      worker.close();
      tus.close();
    },
  };
}

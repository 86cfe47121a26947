/** Wires the video resources: the store, the chunk ingest, `/upload`, `/videos`, `/vod` and tus. */
import type { ApiContext, App } from './context.js';
import { Ingest } from './ingest.js';
import { registerTusRoutes } from './tus.js';
import { registerUploadRoutes } from './upload.js';
import { VideoFiles } from './video-files.js';
import { SqliteVideoStore } from './video-store.js';
import { registerVideoRoutes } from './videos.js';

export interface MediaRoutes {
  ingest: Ingest;
  close(): void;
}

export function registerMediaRoutes(app: App, ctx: ApiContext): MediaRoutes {
  const ingest = new Ingest(new SqliteVideoStore(ctx.db, ctx.now), new VideoFiles(ctx.options.dataDir), {
    durable: ctx.options.fsync === true,
    ...(ctx.options.minPartSize === undefined ? {} : { minPartSize: ctx.options.minPartSize }),
  });
  ingest.prepare();
  ingest.recover().catch((error: unknown) => {
    console.error('video-uploader: recovering unfinished uploads failed', error instanceof Error ? error.stack : error);
  });
  registerUploadRoutes(app, ctx, ingest);
  registerVideoRoutes(app, ctx, ingest);
  const tus = registerTusRoutes(app, ctx, ingest);
  return { ingest, close: () => tus.close() };
}

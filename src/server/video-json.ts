/** A video record as the API answers it: api.video's Video object, dates and asset URLs included. */
import type { Video } from '../protocol/index.js';
import type { ApiContext } from './context.js';
import { mintPrivateToken } from './private-tokens.js';
import { atomDate } from './token-store.js';
import type { VideoRecord } from './video-store.js';

/** Origin used in asset URLs: the configured public URL, else the one the request came to. */
export function originOf(ctx: ApiContext, requestUrl: string): string {
  return (ctx.options.publicUrl ?? new URL(requestUrl).origin).replace(/\/+$/, '');
}

/**
 * The Video of `record`. A private video's asset URLs carry `privateToken` (a fresh one per answer,
 * as the service hands out): in the path of the vod URLs, as `?token=` on the player's.
 */
export function toVideo(record: VideoRecord, origin: string, privateToken?: string): Video {
  const vod = `${origin}/vod/${record.id}`;
  const files = record.public || !privateToken ? vod : `${vod}/token/${privateToken}`;
  const player = record.public || !privateToken ? `${vod}/player` : `${vod}/player?token=${privateToken}`;
  const video: Video = {
    videoId: record.id,
    ...(record.playerId !== null ? { playerId: record.playerId } : {}),
    title: record.title,
    description: record.description,
    ...(record.language !== null ? { language: record.language } : {}),
    languageOrigin: record.languageOrigin,
    public: record.public,
    panoramic: record.panoramic,
    mp4Support: record.mp4Support,
    tags: record.tags,
    metadata: record.metadata,
    createdAt: atomDate(record.createdAt),
    publishedAt: atomDate(record.publishedAt),
    updatedAt: atomDate(record.updatedAt),
    discarded: false,
    discardedAt: null,
    deletesAt: null,
    source: { type: 'upload', uri: `/videos/${record.id}/source` },
    assets: {
      iframe: `<iframe src="${player}" width="100%" height="100%" frameborder="0" scrolling="no" allowfullscreen=""></iframe>`,
      player,
      hls: `${files}/hls/manifest.m3u8`,
      thumbnail: `${files}/thumbnail.jpg`,
      ...(record.mp4Support ? { mp4: `${files}/mp4/source.mp4` } : {}),
    },
  };
  return video;
}

/** The Video as one request's answer: the origin it came to, and a fresh private token when private. */
export function videoJson(ctx: ApiContext, record: VideoRecord, requestUrl: string): Video {
  const token = record.public ? undefined : mintPrivateToken(ctx.signingKey, record.id, ctx.now());
  return toVideo(record, originOf(ctx, requestUrl), token);
}

/**
 * Private videos' asset tokens. api.video hands out a fresh token (a UUID) with every read of a
 * private video and serves its assets only under that token. Here a token is self-checking: the
 * minute it was made, random bits, and an HMAC of both and the video id, laid out as a UUID. A token
 * stands for a viewing session of 24 hours (the service's session length), so a manifest and its
 * segments, range requests and reloads all work under it. Nothing is stored.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a private token opens a video's assets. */
export const PRIVATE_TOKEN_TTL_MS = 24 * 3600 * 1000;
const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const mac = (key: string, videoId: string, head: Buffer): Buffer =>
  createHmac('sha256', key)
    .update('private-asset\0')
    .update(videoId)
    .update('\0')
    .update(head)
    .digest()
    .subarray(0, 10);

const asUuid = (hex: string): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

export function mintPrivateToken(key: string, videoId: string, now: number): string {
  const head = Buffer.alloc(6);
  head.writeUInt32BE(Math.floor(now / 60_000));
  randomBytes(2).copy(head, 4);
  return asUuid(Buffer.concat([head, mac(key, videoId, head)]).toString('hex'));
}

/** True when `token` was minted for this video with this key less than 24 hours ago. */
export function checkPrivateToken(key: string, videoId: string, token: string | undefined, now: number): boolean {
  if (!token || !TOKEN.test(token)) return false;
  const bytes = Buffer.from(token.replaceAll('-', ''), 'hex');
  const head = bytes.subarray(0, 6);
  if (!timingSafeEqual(bytes.subarray(6), mac(key, videoId, head))) return false;
  const minted = head.readUInt32BE(0) * 60_000;
  return minted <= now + 60_000 && now - minted < PRIVATE_TOKEN_TTL_MS;
}

/**
 * The routes the plugin adds to the CMS's REST API, both for the admin's signed-in users only:
 * `POST /api/video-uploader/token` hands `<video-uploader>` a short-lived upload token, and
 * `GET /api/video-uploader/videos/:videoId` gives the field fresh, playable addresses of a stored video.
 * The API key stays on the server: it goes to the video API and nowhere else.
 */
import type { Endpoint, PayloadRequest, TypedUser } from 'payload';
import { createTokenIssuer, type TokenIssuer } from 'video-uploader/issuer';
import type { Settings } from './settings';
import { TOKEN_PATH, VIDEO_ID, VIDEO_PATH } from './types';
import { getVideo, VideoApiError } from './video-api';

const PROBLEM_BASE = 'https://docs.api.video/reference/';

export function problem(status: number, slug: string, title: string, detail?: string): Response {
  return Response.json(
    { type: PROBLEM_BASE + slug, title, status, ...(detail ? { detail } : {}) },
    { status, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' } },
  );
}

/** Misconfiguration is said once on the server console, with what to fix, and as a distinct code to the admin. */
let warned = false;
export function notConfigured(): Response {
  if (!warned) {
    warned = true;
    console.error(
      'video-uploader-payload [VU_PAYLOAD_NO_API_KEY]: set APIVIDEO_API_KEY in the server environment (and APIVIDEO_API_URL for another video API than ws.api.video).',
    );
  }
  return problem(500, 'issuer-misconfigured', 'The video field is not configured.', 'VU_PAYLOAD_NO_API_KEY');
}

/** Only users of the admin's own auth collection, signed in through its session cookie. */
function adminUser(req: PayloadRequest): TypedUser | null {
  const user = req.user;
  if (!user) return null;
  const adminCollection = req.payload.config.admin.user;
  return (user as { collection?: string }).collection === adminCollection ? user : null;
}

export function videoUploaderEndpoints(settings: Settings): Endpoint[] {
  const users = new WeakMap<Request, TypedUser>();
  let issuer: TokenIssuer | undefined;
  const issue = (): TokenIssuer =>
    (issuer ??= createTokenIssuer({
      apiKey: settings.apiKey!,
      apiUrl: settings.apiUrl,
      ttl: settings.ttl,
      // Counted per editor rather than per address: editors often share an office's address.
      clientKey: (request) => `user:${String(users.get(request)?.id ?? 'none')}`,
      rateLimit: { limit: 30, windowMs: 60_000 },
      authorize: (request, file) => {
        const user = users.get(request);
        if (!user) return false;
        return {
          video: {
            title: file.fileName?.trim() || 'Untitled video',
            public: !settings.privateVideos,
            metadata: [{ key: 'cmsUser', value: String(user.id) }],
          },
        };
      },
    }));

  const token: Endpoint = {
    path: TOKEN_PATH,
    method: 'post',
    handler: async (req) => {
      const user = adminUser(req);
      if (!user)
        return problem(403, 'upload-not-authorized', 'The upload is not authorized.', 'Sign in to the admin first.');
      if (!settings.apiKey) return notConfigured();
      const request = new Request(req.url!, {
        method: 'POST',
        headers: req.headers,
        body: req.body ?? null,
        // Node's fetch needs this to pass a request body on as a stream.
        ...({ duplex: 'half' } as object),
      });
      users.set(request, user);
      return issue()(request);
    },
  };

  const video: Endpoint = {
    path: `${VIDEO_PATH}/:videoId`,
    method: 'get',
    handler: async (req) => {
      if (!adminUser(req)) return problem(403, 'forbidden', 'Sign in to the admin first.');
      if (!settings.apiKey) return notConfigured();
      const videoId = String(req.routeParams?.videoId ?? '');
      if (!VIDEO_ID.test(videoId))
        return problem(400, 'invalid-attribute', 'An attribute is invalid.', 'videoId is not a video id.');
      try {
        return Response.json(await getVideo(settings, videoId), { headers: { 'cache-control': 'no-store' } });
      } catch (error) {
        if (!(error instanceof VideoApiError)) throw error;
        if (error.code === 'not-found')
          return problem(404, 'resource-not-found', 'The video is no longer in the video library.');
        return problem(error.status, 'upstream-error', 'The video API failed.', error.message);
      }
    },
  };

  return [token, video];
}

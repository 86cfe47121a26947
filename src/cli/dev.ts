import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVideoApiServer } from '../server/app.js';
import { ISSUER_PATH, registerDevRoutes } from './dev-routes.js';
import { fsyncFromEnv, parse, portOf, untilSignal } from './args.js';

export const DEV_API_KEY = 'dev-api-key';

export const devUsage = `video-uploader dev [options]   the local video API, a token issuer and the demo, on one port

  --port P       port (env PORT, default 8787; 0 picks a free one)
  --host H       address to bind (env HOST, default 127.0.0.1)
  --api-key K    API key of the local video API (env APIVIDEO_API_KEY, default "${DEV_API_KEY}")
  --data-dir D   data folder (env VIDEO_UPLOADER_DATA_DIR, default .video-uploader)
  --quiet        no request log`;

const root = fileURLToPath(new URL('../../', import.meta.url));

export async function devCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'api-key': { type: 'string' },
    'data-dir': { type: 'string' },
    quiet: { type: 'boolean' },
  });
  const apiKey = values['api-key'] || process.env.APIVIDEO_API_KEY || DEV_API_KEY;
  const dataDir = resolve(values['data-dir'] ?? process.env.VIDEO_UPLOADER_DATA_DIR ?? '.video-uploader');
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const log = values.quiet ? undefined : (line: string): void => console.log(`  ${line}`);
  let publicUrl = '';
  const running = await startVideoApiServer(
    { apiKey, dataDir, fsync: fsyncFromEnv(), port: portOf(values.port ?? process.env.PORT, 8787), host, log },
    (app, ctx) =>
      registerDevRoutes(app, ctx, {
        demoDir: resolve(root, 'demo'),
        cdnDir: resolve(root, 'dist/cdn'),
        publicUrl: () => publicUrl,
        log,
      }),
  );
  // A browser cannot open the wildcard address: show and hand out a loopback name instead.
  publicUrl = running.url.replace(/\/\/(0\.0\.0\.0|\[::\])/, '//localhost');
  const shownKey =
    apiKey === DEV_API_KEY ? `${DEV_API_KEY} (the development key)` : '(from APIVIDEO_API_KEY / --api-key)';
  console.log(
    [
      '',
      '  video-uploader dev',
      '',
      `  Demo            ${publicUrl}/`,
      `  Video API       ${publicUrl}  (api.video-compatible)`,
      `  Token issuer    ${publicUrl}${ISSUER_PATH}`,
      `  API key         ${shownKey}`,
      `  Data            ${dataDir}`,
      '',
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const signal = await untilSignal();
  console.log(`video-uploader: ${signal}, closing`);
  await running.close();
  return 0;
}

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeOrigin } from '../issuer/index.js';
import { startVideoApiServer } from '../server/app.js';
import { ISSUER_PATH, registerDevRoutes } from './dev-routes.js';
import { fsyncFromEnv, listening, parseCommand, portOf, untilSignal, UsageError, type CommandSpec } from './args.js';

export const DEV_API_KEY = 'dev-api-key';

export const devSpec = {
  name: 'dev',
  summary: 'the local video API, a token issuer and the demo pages, on one port (what npm start runs)',
  options: {
    port: { type: 'string', value: 'P', help: 'port (env PORT, default 8787; 0 picks a free one)' },
    host: { type: 'string', value: 'H', help: 'address to bind (env HOST, default 127.0.0.1)' },
    'api-key': {
      type: 'string',
      value: 'K',
      help: `API key of the local video API (env APIVIDEO_API_KEY, default "${DEV_API_KEY}")`,
    },
    'data-dir': {
      type: 'string',
      value: 'D',
      help: 'data folder (env VIDEO_UPLOADER_DATA_DIR, default .video-uploader)',
    },
    'allow-origin': {
      type: 'string',
      multiple: true,
      value: 'O',
      help: 'another site (e.g. http://localhost:3000) that may use the token route and /cdn/ files',
    },
    quiet: { type: 'boolean', help: 'no request log' },
  },
  examples: ['video-uploader dev', 'video-uploader dev --port 8787 --allow-origin http://localhost:3000'],
} as const satisfies CommandSpec;

const root = fileURLToPath(new URL('../../', import.meta.url));

function originsOf(values: readonly string[]): string[] {
  return values.map((value) => {
    try {
      return normalizeOrigin(value);
    } catch {
      throw new UsageError(`--allow-origin "${value}" is not an origin such as http://localhost:3000.`);
    }
  });
}

export async function devCommand(argv: string[]): Promise<number> {
  const values = parseCommand(devSpec, argv);
  if (!values) return 0;
  const apiKey = values['api-key'] || process.env.APIVIDEO_API_KEY || DEV_API_KEY;
  const dataDir = resolve(values['data-dir'] ?? process.env.VIDEO_UPLOADER_DATA_DIR ?? '.video-uploader');
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const port = portOf(values.port ?? process.env.PORT, 8787);
  const allowedOrigins = originsOf(values['allow-origin'] ?? []);
  const log = values.quiet ? undefined : (line: string): void => console.log(`  ${line}`);
  let publicUrl = '';
  const running = await listening(port, host, () =>
    startVideoApiServer({ apiKey, dataDir, fsync: fsyncFromEnv(), port, host, log }, (app, ctx) =>
      registerDevRoutes(app, ctx, {
        demoDir: resolve(root, 'demo'),
        cdnDir: resolve(root, 'dist/cdn'),
        publicUrl: () => publicUrl,
        allowedOrigins,
        log,
      }),
    ),
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
      `  Element         ${publicUrl}/cdn/video-uploader.min.js`,
      ...(allowedOrigins.length > 0 ? [`  Other sites     ${allowedOrigins.join(', ')}`] : []),
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

import { resolve } from 'node:path';
import { startVideoApiServer } from '../server/app.js';
import { fsyncFromEnv, listening, parseCommand, portOf, untilSignal, UsageError, type CommandSpec } from './args.js';
import { limitsOf, limitsOptions } from './server-limits.js';

export const serverSpec = {
  name: 'server',
  summary: 'the local video API alone (api.video-compatible)',
  options: {
    port: { type: 'string', value: 'P', help: 'port to listen on (env PORT, default 8787; 0 picks a free one)' },
    host: { type: 'string', value: 'H', help: 'address to bind (env HOST, default 127.0.0.1)' },
    'api-key': { type: 'string', value: 'K', help: 'API key the management routes require (env APIVIDEO_API_KEY)' },
    'data-dir': {
      type: 'string',
      value: 'D',
      help: 'where the database and files live (env VIDEO_UPLOADER_DATA_DIR, default .video-uploader)',
    },
    'public-url': {
      type: 'string',
      value: 'U',
      help: 'origin used in asset URLs (default: the origin each request came to)',
    },
    quiet: { type: 'boolean', help: 'no request log' },
    ...limitsOptions,
  },
  examples: ['APIVIDEO_API_KEY=my-key video-uploader server --port 8787 --data-dir ./videos'],
} as const satisfies CommandSpec;

export async function serverCommand(argv: string[]): Promise<number> {
  const values = parseCommand(serverSpec, argv);
  if (!values) return 0;
  const apiKey = values['api-key'] ?? process.env.APIVIDEO_API_KEY ?? '';
  if (apiKey.trim() === '') {
    throw new UsageError('An API key is required: pass --api-key or set APIVIDEO_API_KEY.');
  }
  const dataDir = resolve(values['data-dir'] ?? process.env.VIDEO_UPLOADER_DATA_DIR ?? '.video-uploader');
  const port = portOf(values.port ?? process.env.PORT, 8787);
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const running = await listening(port, host, () =>
    startVideoApiServer({
      ...limitsOf(values),
      apiKey,
      dataDir,
      fsync: fsyncFromEnv(),
      publicUrl: values['public-url'],
      port,
      host,
      log: values.quiet ? undefined : (line) => console.log(line),
    }),
  );
  console.log(`video-uploader: local video API listening on ${running.url}`);
  console.log(`video-uploader: data in ${dataDir}`);
  const signal = await untilSignal();
  console.log(`video-uploader: ${signal}, closing`);
  await running.close();
  return 0;
}

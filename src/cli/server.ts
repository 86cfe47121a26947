import { resolve } from 'node:path';
import { startVideoApiServer } from '../server/app.js';
import { fsyncFromEnv, parse, portOf, untilSignal, UsageError } from './args.js';
import { limitsOf, limitsOptions, limitsUsage } from './server-limits.js';

export const serverUsage = `video-uploader server [options]   the local video API alone

  --port P       port to listen on (env PORT, default 8787; 0 picks a free one)
  --host H       address to bind (env HOST, default 127.0.0.1)
  --api-key K    API key that management routes require (env APIVIDEO_API_KEY)
  --data-dir D   where the database and files live (env VIDEO_UPLOADER_DATA_DIR, default .video-uploader)
  --public-url U origin used in asset URLs (default: the origin each request came to)
  --quiet        no request log
${limitsUsage}`;

export async function serverCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'api-key': { type: 'string' },
    'data-dir': { type: 'string' },
    'public-url': { type: 'string' },
    quiet: { type: 'boolean' },
    ...limitsOptions,
  });
  const apiKey = values['api-key'] ?? process.env.APIVIDEO_API_KEY ?? '';
  if (apiKey.trim() === '') {
    throw new UsageError('An API key is required: pass --api-key or set APIVIDEO_API_KEY.');
  }
  const dataDir = resolve(values['data-dir'] ?? process.env.VIDEO_UPLOADER_DATA_DIR ?? '.video-uploader');
  const running = await startVideoApiServer({
    ...limitsOf(values),
    apiKey,
    dataDir,
    fsync: fsyncFromEnv(),
    publicUrl: values['public-url'],
    port: portOf(values.port ?? process.env.PORT, 8787),
    host: values.host ?? process.env.HOST ?? '127.0.0.1',
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  console.log(`video-uploader: local video API listening on ${running.url}`);
  console.log(`video-uploader: data in ${dataDir}`);
  const signal = await untilSignal();
  console.log(`video-uploader: ${signal}, closing`);
  await running.close();
  return 0;
}

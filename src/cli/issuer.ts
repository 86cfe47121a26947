import { createTokenIssuer, DEFAULT_TTL } from '../issuer/index.js';
import { createNodeFetch, serveTokenIssuer } from '../issuer/node.js';
import { parse, portOf, untilSignal, UsageError } from './args.js';

export const issuerUsage = `video-uploader issuer [options]   the token issuer alone

  --port P           port to listen on (env PORT, default 8788; 0 picks a free one)
  --host H           address to bind (env HOST, default 127.0.0.1)
  --api-key K        the video API key (env APIVIDEO_API_KEY); never printed
  --api-url URL      video API the tokens come from (env APIVIDEO_API_URL, default https://ws.api.video)
  --upload-url URL   video API the browser uploads to, when it differs from --api-url
  --ttl S            seconds each token lives (default ${DEFAULT_TTL}; 0 needs --allow-zero-ttl)
  --max-ttl S        ceiling of any ttl (default: --ttl)
  --allow-zero-ttl   permit tokens that never expire
  --allow-origin O   a page origin that may ask for tokens cross-origin (repeatable)
  --rate-limit N     token requests per client a minute (default 60; 0 turns the limit off)
  --quiet            no request log`;

function secondsOf(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`Invalid ${name}: ${value}`);
  return Number(value);
}

export async function issuerCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'api-key': { type: 'string' },
    'api-url': { type: 'string' },
    'upload-url': { type: 'string' },
    ttl: { type: 'string' },
    'max-ttl': { type: 'string' },
    'allow-zero-ttl': { type: 'boolean' },
    'allow-origin': { type: 'string', multiple: true },
    'rate-limit': { type: 'string' },
    quiet: { type: 'boolean' },
  });
  const apiKey = values['api-key'] ?? process.env.APIVIDEO_API_KEY ?? '';
  if (apiKey.trim() === '') throw new UsageError('An API key is required: pass --api-key or set APIVIDEO_API_KEY.');
  const rateLimit = secondsOf(values['rate-limit'], '--rate-limit');
  let issuer;
  try {
    issuer = createTokenIssuer({
      apiKey,
      apiUrl: values['api-url'] ?? process.env.APIVIDEO_API_URL,
      uploadUrl: values['upload-url'],
      ttl: secondsOf(values.ttl, '--ttl'),
      maxTtl: secondsOf(values['max-ttl'], '--max-ttl'),
      allowZeroTtl: values['allow-zero-ttl'] === true,
      allowedOrigins: values['allow-origin'] ?? [],
      rateLimit: rateLimit === 0 ? false : rateLimit,
      fetch: createNodeFetch(),
      log: values.quiet ? undefined : (line) => console.log(line),
    });
  } catch (error) {
    // Configuration errors name the option at fault and never carry the key.
    if (error instanceof TypeError) throw new UsageError(error.message.replace(/^createTokenIssuer: /, ''));
    throw error;
  }
  const running = await serveTokenIssuer(
    issuer,
    portOf(values.port ?? process.env.PORT, 8788),
    values.host ?? process.env.HOST ?? '127.0.0.1',
  );
  console.log(`video-uploader: token issuer listening on ${running.url}`);
  console.log(
    `video-uploader: tokens from ${values['api-url'] ?? process.env.APIVIDEO_API_URL ?? 'https://ws.api.video'}`,
  );
  const signal = await untilSignal();
  console.log(`video-uploader: ${signal}, closing`);
  await running.close();
  return 0;
}

import { createTokenIssuer, DEFAULT_TTL } from '../issuer/index.js';
import { createNodeFetch, serveTokenIssuer } from '../issuer/node.js';
import { listening, parseCommand, portOf, untilSignal, UsageError, type CommandSpec } from './args.js';

export const issuerSpec = {
  name: 'issuer',
  summary: 'the token issuer alone: hands browsers short-lived upload tokens, keeps the API key',
  options: {
    port: { type: 'string', value: 'P', help: 'port to listen on (env PORT, default 8788; 0 picks a free one)' },
    host: { type: 'string', value: 'H', help: 'address to bind (env HOST, default 127.0.0.1)' },
    'api-key': { type: 'string', value: 'K', help: 'the video API key (env APIVIDEO_API_KEY); never printed' },
    'api-url': {
      type: 'string',
      value: 'URL',
      help: 'video API the tokens come from (env APIVIDEO_API_URL, default https://ws.api.video)',
    },
    'upload-url': {
      type: 'string',
      value: 'URL',
      help: 'video API the browser uploads to, when it differs from --api-url',
    },
    ttl: {
      type: 'string',
      value: 'S',
      help: `seconds each token lives (default ${DEFAULT_TTL}; 0 needs --allow-zero-ttl)`,
    },
    'max-ttl': { type: 'string', value: 'S', help: 'ceiling of any ttl (default: --ttl)' },
    'allow-zero-ttl': { type: 'boolean', help: 'permit tokens that never expire' },
    'allow-origin': {
      type: 'string',
      multiple: true,
      value: 'O',
      help: 'a page origin that may ask for tokens cross-origin',
    },
    'rate-limit': {
      type: 'string',
      value: 'N',
      help: 'token requests per client a minute (default 10; 0 turns the limit off)',
    },
    quiet: { type: 'boolean', help: 'log failures only, not every request' },
  },
  examples: ['APIVIDEO_API_KEY=my-key video-uploader issuer --port 3000 --allow-origin https://www.example.com'],
} as const satisfies CommandSpec;

function secondsOf(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`Invalid ${name}: ${value}`);
  return Number(value);
}

export async function issuerCommand(argv: string[]): Promise<number> {
  const values = parseCommand(issuerSpec, argv);
  if (!values) return 0;
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
      // Without a log function the issuer still reports failures, on stderr.
      log: values.quiet ? undefined : (line) => console.log(line),
    });
  } catch (error) {
    // Configuration errors name the option at fault and never carry the key.
    if (error instanceof TypeError) throw new UsageError(error.message.replace(/^createTokenIssuer: /, ''));
    throw error;
  }
  const port = portOf(values.port ?? process.env.PORT, 8788);
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const running = await listening(port, host, () => serveTokenIssuer(issuer, port, host));
  console.log(`video-uploader: token issuer listening on ${running.url}`);
  console.log(
    `video-uploader: tokens from ${values['api-url'] ?? process.env.APIVIDEO_API_URL ?? 'https://ws.api.video'}`,
  );
  const signal = await untilSignal();
  console.log(`video-uploader: ${signal}, closing`);
  await running.close();
  return 0;
}

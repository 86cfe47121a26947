import { Redis } from 'ioredis';
import { createTokenIssuer, DEFAULT_TTL, MemoryRateLimitStore } from '../issuer/index.js';
import { createNodeFetch, serveTokenIssuer } from '../issuer/node.js';
import { listening, parseCommand, portOf, untilSignal, UsageError, type CommandSpec } from './args.js';
import { RedisRateLimitStore } from '../issuer/redis.js';

/**
 * A Redis client for the rate-limit store that never queues a command while disconnected: a hit
 * fails at once (503, or the memory fallback) instead of waiting for Redis to come back.
 */
async function connectRedis(
  url: string | undefined,
  fallback: boolean,
): Promise<{ client: Redis; store: RedisRateLimitStore } | undefined> {
  if (!url) return undefined;
  if (!/^rediss?:\/\//.test(url)) throw new UsageError(`Invalid --redis-url (redis:// or rediss://): ${url}`);
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let warned = false;
  client.on('error', (error: Error) => {
    if (warned) return;
    warned = true;
    console.error(`video-uploader: Redis: ${error.message} (retrying; token requests answer 503 meanwhile)`);
  });
  client.on('ready', () => {
    warned = false;
  });
  // Redis down at start is not fatal: the issuer serves (503 or the fallback) and reconnects.
  await client.connect().catch(() => {});
  const store = new RedisRateLimitStore({
    client,
    ...(fallback
      ? {
          fallback: new MemoryRateLimitStore(),
          onError: (error: unknown) =>
            console.error(
              `video-uploader: Redis: ${error instanceof Error ? error.message : String(error)}; counting in memory`,
            ),
        }
      : {}),
  });
  return { client, store };
}

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
      help: 'token requests per client a minute (default 60; 0 turns the limit off)',
    },
    'trust-proxy': {
      type: 'string',
      value: 'T',
      help: 'believe X-Forwarded-For from proxies in front: a hop count, or proxy addresses and CIDR ranges, comma-separated (loopback, private, linklocal name the usual ones)',
    },
    'client-ip-header': {
      type: 'string',
      value: 'H',
      help: 'a header the platform in front sets to the client address (cf-connecting-ip)',
    },
    'redis-url': {
      type: 'string',
      value: 'URL',
      help: 'keep the rate-limit counts in Redis, shared by every instance (env REDIS_URL)',
    },
    'redis-fallback': { type: 'boolean', help: 'count in memory while Redis is down, instead of answering 503' },
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
  const trust = values['trust-proxy'];
  const trustProxy =
    trust === undefined ? undefined : /^[0-9]+$/.test(trust) ? Number(trust) : trust.split(',').map((s) => s.trim());
  const log = values.quiet ? undefined : (line: string): void => console.log(line);
  const redis = await connectRedis(values['redis-url'] ?? process.env.REDIS_URL, values['redis-fallback'] === true);
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
      rateLimitStore: redis?.store,
      trustProxy,
      clientIpHeader: values['client-ip-header'],
      fetch: createNodeFetch(),
      log,
    });
  } catch (error) {
    redis?.client.disconnect();
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
  redis?.client.disconnect();
  return 0;
}

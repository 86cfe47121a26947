/** The `server` and `dev` flags of the upload guards: token quotas, disk room, upload connections. */
import type { StartOptions } from '../server/app.js';
import { UsageError, type OptionSpec } from './args.js';

export const limitsOptions = {
  'token-quota-bytes': { type: 'string', value: 'N', help: 'bytes one upload token may send (default 12 GiB)' },
  'token-quota-parts': { type: 'string', value: 'N', help: 'parts one upload token may send (default 4096)' },
  'min-free-space': {
    type: 'string',
    value: 'N',
    help: 'bytes kept free on the data disk; uploads past it get 507 (default 1 GiB)',
  },
  'max-uploads-per-address': {
    type: 'string',
    value: 'N',
    help: 'uploads in progress from one address (default 32)',
  },
  'min-upload-rate': {
    type: 'string',
    value: 'N',
    help: 'bytes an upload body must deliver every 30 s (default 16384; 0 turns it off)',
  },
} as const satisfies Record<string, OptionSpec>;

function count(value: string | undefined, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value)))
    throw new UsageError(`Invalid --${name} (a whole number ≥ ${min}): ${value}`);
  return Number(value);
}

/** The options the flags set; flags not given leave the defaults. */
export function limitsOf(values: Partial<Record<keyof typeof limitsOptions, string>>): Partial<StartOptions> {
  const bytes = count(values['token-quota-bytes'], 'token-quota-bytes');
  const parts = count(values['token-quota-parts'], 'token-quota-parts');
  const minFreeSpace = count(values['min-free-space'], 'min-free-space', 0);
  const maxUploadsPerAddress = count(values['max-uploads-per-address'], 'max-uploads-per-address');
  const minRateBytes = count(values['min-upload-rate'], 'min-upload-rate', 0);
  return {
    tokenQuota: { ...(bytes ? { bytes } : {}), ...(parts ? { parts } : {}) },
    ...(minFreeSpace !== undefined ? { minFreeSpace } : {}),
    connections: {
      ...(maxUploadsPerAddress ? { maxUploadsPerAddress } : {}),
      ...(minRateBytes !== undefined ? { minRateBytes } : {}),
    },
  };
}

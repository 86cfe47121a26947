import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with usage errors that say what was wrong. */
export type ParsedValues<T extends Options> = {
  [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : T[K] extends { multiple: true } ? string[] : string;
};

export function parse<T extends Options>(argv: string[], options: T): { values: ParsedValues<T> } {
  try {
    const { values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
    return { values: values };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function portOf(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) > 65535) throw new UsageError(`Invalid port: ${value}`);
  return Number(value);
}

/** `VIDEO_UPLOADER_FSYNC=1` syncs every chunk to the device before it counts (power-cut safety, slower). */
export const fsyncFromEnv = (): boolean => process.env.VIDEO_UPLOADER_FSYNC === '1';

/** Resolves on SIGINT/SIGTERM, after which the caller closes what it opened. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

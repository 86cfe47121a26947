import { parseArgs } from 'node:util';

/** A mistake in how the command was called: one line, exit code 2. */
export class UsageError extends Error {}

/** The command could not start (a port in use, an address not on this machine): one line, exit code 1. */
export class StartError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in the help, e.g. `P` for `--port P`. */
  value?: string;
  help: string;
}

/** A command as its help shows it and as parseArgs reads it: one table, so the help lists every option. */
export interface CommandSpec {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  examples: string[];
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

export type ParsedValues<T extends Record<string, OptionSpec>> = {
  [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : T[K] extends { multiple: true } ? string[] : string;
};

export function usageOf(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, option]) => {
    const flag = `--${name}${option.value ? ` ${option.value}` : ''}${option.short ? `, -${option.short}` : ''}`;
    return [flag, option.help + (option.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 3;
  return [
    `Usage: video-uploader ${spec.name} [options]`,
    '',
    `${spec.summary[0].toUpperCase()}${spec.summary.slice(1)}.`,
    '',
    'Options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
    '',
    spec.examples.length > 1 ? 'Examples:' : 'Example:',
    ...spec.examples.map((example) => `  ${example}`),
  ].join('\n');
}

/** Node's parseArgs messages, made into one plain line each. */
function usageMessage(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option '${quoted}'.`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `Unexpected argument '${quoted}'.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${error.message.split('. ')[0].replace(/\.$/, '')}.`;
    default:
      return error.message;
  }
}

/** Parses `argv` by the spec; `undefined` when `--help` was asked for (the help is then printed). */
export function parseCommand<T extends Record<string, OptionSpec>>(
  spec: CommandSpec & { options: T },
  argv: string[],
): ParsedValues<T> | undefined {
  const options = Object.fromEntries(
    Object.entries({ ...spec.options, help: HELP }).map(([name, { type, multiple, short }]) => [
      name,
      { type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}) },
    ]),
  );
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError(usageMessage(error as Error));
  }
  if (values.help) {
    console.log(usageOf(spec));
    return undefined;
  }
  return values as ParsedValues<T>;
}

export function portOf(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) > 65535) throw new UsageError(`Invalid port: ${value}`);
  return Number(value);
}

/**
 * Listens with `start`, turning the usual reasons a server cannot start into one line that says what
 * to do, instead of a stack trace.
 */
export async function listening<T>(port: number, host: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new StartError(
        `Port ${port} on ${host} is already in use. Stop what is using it, or pick another port with --port (0 picks a free one).`,
      );
    }
    if (code === 'EACCES') {
      throw new StartError(`Port ${port} needs privileges on this system. Pick a port above 1023 with --port.`);
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new StartError(`Cannot listen on ${host}: no such address on this machine. Check --host.`);
    }
    throw error;
  }
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

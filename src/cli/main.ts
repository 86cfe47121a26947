import { readFileSync } from 'node:fs';
import { StartError, UsageError, type CommandSpec } from './args.js';
import { devCommand, devSpec } from './dev.js';
import { issuerCommand, issuerSpec } from './issuer.js';
import { serverCommand, serverSpec } from './server.js';

/** The package's version, from its package.json (two folders up from src/cli and from dist/cli). */
const version = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, { run: Command; spec: CommandSpec }> = {
  dev: { run: devCommand, spec: devSpec },
  server: { run: serverCommand, spec: serverSpec },
  issuer: { run: issuerCommand, spec: issuerSpec },
};

export const topUsage = (): string =>
  [
    'Usage: video-uploader <command> [options]',
    '',
    'Commands:',
    ...Object.values(commands).map(({ spec }) => `  ${spec.name.padEnd(10)}${spec.summary}`),
    '',
    'Options:',
    "  --help, -h      show this help; video-uploader <command> --help shows a command's options",
    '  --version, -v   print the version',
    '',
    'Examples:',
    '  npx video-uploader dev',
    '  npx video-uploader dev --help',
    '',
    'Exit codes: 0 done, 1 could not start (the message says why), 2 wrong usage.',
  ].join('\n');

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const command = name === 'help' && rest[0] ? commands[rest[0]] : undefined;
    if (command) return command.run(['--help']);
    console.log(topUsage());
    return 0;
  }
  if (!name) {
    console.error(topUsage());
    return 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(
      `video-uploader: unknown command '${name}'. Commands: ${Object.keys(commands).join(', ')}; see video-uploader --help.`,
    );
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      const message = /[.!?]$/.test(error.message) ? error.message : `${error.message}.`;
      console.error(`video-uploader ${name}: ${message} See video-uploader ${name} --help.`);
      return 2;
    }
    if (error instanceof StartError) {
      console.error(`video-uploader ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

export { commands as cliCommands };

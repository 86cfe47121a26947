import { UsageError } from './args.js';
import { devCommand, devUsage } from './dev.js';
import { serverCommand, serverUsage } from './server.js';
import { issuerCommand, issuerUsage } from './issuer.js';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, { run: Command; usage: string }> = {
  dev: { run: devCommand, usage: devUsage },
  server: { run: serverCommand, usage: serverUsage },
  issuer: { run: issuerCommand, usage: issuerUsage },
};

const usage = (): string =>
  ['Usage: video-uploader <command> [options]', '', ...Object.values(commands).map((c) => c.usage)].join('\n\n');

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`video-uploader: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`video-uploader ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    throw error;
  }
}

export { commands as cliCommands };

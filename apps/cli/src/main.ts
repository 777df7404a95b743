import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { CommandIO, CommandSpec } from './spec.js';
import { ExitError } from './spec.js';
import { up } from './commands/up/index.js';
import { serve } from './commands/serve/index.js';
import { health } from './commands/health/index.js';
import { certs } from './commands/certs/index.js';
import { keys } from './commands/keys/index.js';
import { token } from './commands/token/index.js';
import { governance } from './commands/governance/index.js';
import { evidence } from './commands/evidence/index.js';
import { heal } from './commands/heal/index.js';
import { analyze } from './commands/analyze/index.js';
import { consciousness } from './commands/consciousness/index.js';
import { spiritual } from './commands/spiritual/index.js';
import { tui } from './commands/tui/index.js';
import { isInteractiveTerminal } from './tui/index.js';

export const COMMANDS: readonly CommandSpec<never>[] = [up, serve, health, keys, token, governance, evidence, consciousness, analyze, heal, spiritual, certs, tui];

function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const on = (signal: NodeJS.Signals) => {
      if (seen) process.exit(130); // a second Ctrl-C does not wait for a graceful stop
      seen = true;
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Builds the commander program from the declarative specs. */
export function program(io: CommandIO, setExit: (code: number) => void): Command {
  const root = new Command('maximus')
    .description('MAXIMUS: autonomous operations with a human in the loop')
    .version((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  for (const spec of COMMANDS) {
    const command = root.command(spec.name).summary(spec.summary).description(spec.description ?? spec.summary);
    for (const arg of spec.args ?? []) {
      const a = command.createArgument(arg.required ? `<${arg.name}>` : `[${arg.name}]`, arg.description);
      if (arg.choices) a.choices(arg.choices);
      command.addArgument(a);
    }
    for (const opt of spec.options ?? []) {
      const o = new Option(opt.flags, opt.description);
      if (opt.env) o.env(opt.env);
      if (opt.default !== undefined) o.default(opt.default);
      command.addOption(o);
    }
    if (spec.examples?.length) {
      command.addHelpText('after', '\nExamples:\n' + spec.examples.map((e) => `  $ ${e.command}\n      ${e.explains}`).join('\n'));
    }
    command.action(async (...received: unknown[]) => {
      const options = received[received.length - 2] as Record<string, unknown>;
      const args = received.slice(0, received.length - 2) as string[];
      const code = await spec.run(args, options as never, io);
      setExit(code ?? 0);
    });
  }
  return root;
}

/** The entry point: the only place that decides the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const stop = new AbortController();
  const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, interrupted: interrupted().then((signal) => (stop.abort(), signal)), signal: stop.signal };
  let exitCode = 0;
  const cli = program(io, (code) => {
    exitCode = code;
  });
  try {
    // `maximus` alone opens the TUI in a terminal, and prints the help anywhere else (a script, a pipe).
    const args = argv.length ? argv : isInteractiveTerminal(io) ? ['tui'] : ['--help'];
    await cli.parseAsync(['node', 'maximus', ...args], { from: 'node' });
    return exitCode;
  } catch (error) {
    const e = error as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return e.exitCode ?? 1;
    if (error instanceof ExitError) {
      io.stderr.write(`maximus: ${error.message}\n`);
      return error.exitCode;
    }
    const coded = error as { code?: string; message?: string };
    io.stderr.write(`maximus: ${coded.code ? `${coded.code}: ` : ''}${coded.message ?? String(error)}\n`);
    return 1;
  }
}

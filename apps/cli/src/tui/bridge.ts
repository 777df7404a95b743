import { Writable } from 'node:stream';
import { NotFoundError } from '@maximus/sdk';
import { ExitError, type CommandIO, type CommandSpec } from '../spec.js';
import type { TuiContext } from './context.js';

/** `--dry-run` → `dryRun`, as commander names an option. */
const optionName = (flags: string) =>
  (/--([a-z0-9-]+)/i.exec(flags)?.[1] ?? flags).replace(/^no-/, '').replace(/-([a-z])/g, (_m, ch: string) => ch.toUpperCase());

/** A stream for a CLI command inside the TUI: whole lines go to `ctx.say` (wrapped); nothing once the user cancelled. */
function lineStream(ctx: TuiContext): { stream: NodeJS.WriteStream; flush(): void } {
  let pending = '';
  class Lines extends Writable {
    readonly isTTY = ctx.stream.isTTY;
    readonly columns = ctx.columns;
    readonly rows = ctx.rows;
    getColorDepth() {
      return ctx.stream.isTTY ? ctx.stream.getColorDepth() : 1;
    }
    hasColors(count?: number) {
      return ctx.stream.isTTY ? ctx.stream.hasColors(count) : false;
    }
    override _write(chunk: unknown, _encoding: BufferEncoding, callback: () => void) {
      if (!ctx.signal.aborted) {
        pending += typeof chunk === 'string' ? chunk : String(chunk);
        const cut = pending.lastIndexOf('\n');
        if (cut >= 0) {
          for (const line of pending.slice(0, cut).split('\n')) ctx.say(line);
          pending = pending.slice(cut + 1);
        }
      }
      callback();
    }
  }
  const stream = new Lines({ decodeStrings: false }) as unknown as NodeJS.WriteStream;
  return {
    stream,
    flush() {
      if (pending && !ctx.signal.aborted) ctx.say(pending);
      pending = '';
    },
  };
}

/**
 * Runs a CLI command's spec inside the TUI with `args`, its options' defaults and the TUI's gateway URL.
 * A 404 "no route" from the gateway means the service behind it is not built there yet.
 */
export async function runCliCommand(ctx: TuiContext, spec: CommandSpec<never>, args: readonly string[], service: string): Promise<void> {
  const missing = (spec.args ?? []).filter((a, i) => a.required && !args[i]);
  if (missing.length) return ctx.say(`usage: /${spec.name} ${(spec.args ?? []).map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(' ')}`);
  const options: Record<string, unknown> = {};
  for (const option of spec.options ?? []) if (option.default !== undefined) options[optionName(option.flags)] = option.default;
  options.url = ctx.url;
  const out = lineStream(ctx);
  const interrupted = new Promise<NodeJS.Signals>((resolve) => ctx.signal.addEventListener('abort', () => resolve('SIGINT'), { once: true }));
  const io: CommandIO = { stdout: out.stream, stderr: out.stream, env: ctx.env, interrupted, signal: ctx.signal };
  try {
    await ctx.progress(`/${spec.name}`, () => spec.run(args, options as never, io));
  } catch (error) {
    const cause = error instanceof ExitError ? error.cause : error;
    if (cause instanceof NotFoundError && cause.code === 'KIT_ERR_HTTP_NOT_FOUND') {
      throw new ExitError(`${service} is not built yet on the gateway at ${ctx.url} (${cause.message})`);
    }
    throw error;
  } finally {
    out.flush();
  }
}

import type { Maximus, RequestOptions } from '@maximus/sdk';
import { defineCommand, ExitError } from '../../spec.js';
import { gatewayClient, URL_OPTION } from '../../client.js';
import { describeApiError } from '../../errors.js';
import { renderPanel, type PanelData } from './panel.js';

interface ConsciousnessOptions {
  url?: string;
  json?: boolean;
  watch?: string | boolean;
  recent?: string;
}

/** What the panel shows, read at once (also the TUI's /consciousness, which passes its Ctrl-C signal in `options`). */
export async function read(client: Maximus, recent: number, options?: RequestOptions): Promise<PanelData> {
  const [state, arousal, metrics, events] = await Promise.all([
    client.consciousness.state(options),
    client.consciousness.arousal.retrieve(options),
    client.consciousness.tig.metrics(options),
    client.consciousness.esgt.events.list({ limit: recent }, options).page(),
  ]);
  return { state, arousal, metrics, recent: events.data };
}

export const consciousness = defineCommand<ConsciousnessOptions>({
  name: 'consciousness',
  summary: 'The consciousness model: arousal gauge, TIG metrics, recent ignitions (live with --watch)',
  description:
    'Reads core\'s consciousness model through the gateway: state, arousal and its contributions, the TIG fabric\'s metrics and the ' +
    'latest ignition attempts. --watch redraws on every state snapshot and model event of the live stream until Ctrl-C (on a ' +
    'terminal the screen is redrawn; otherwise each panel is printed after the last). --json prints the data once (with --watch: ' +
    'one JSON line per stream event).',
  options: [
    URL_OPTION,
    { flags: '--json', description: 'machine-readable output' },
    { flags: '--watch [seconds]', description: 'live: a state snapshot every N seconds (default 2) and every event, until Ctrl-C' },
    { flags: '--recent <count>', description: 'ignition attempts to list (default 8)', default: '8' },
  ],
  examples: [
    { command: 'maximus consciousness', explains: 'one panel, then exit' },
    { command: 'maximus consciousness --watch', explains: 'the live panel (Ctrl-C stops)' },
    { command: 'maximus consciousness --json | jq .arousal.value', explains: 'for scripts' },
    { command: 'maximus consciousness --watch --json', explains: 'the live stream as JSON lines' },
  ],
  async run(_args, options, io) {
    const recent = Number(options.recent ?? 8);
    if (!Number.isInteger(recent) || recent < 1 || recent > 200) throw new ExitError(`--recent takes an integer from 1 to 200, not "${options.recent}"`, 2);
    const seconds = options.watch === undefined || options.watch === false ? undefined : options.watch === true ? 2 : Number(options.watch);
    if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0.25 || seconds > 60)) throw new ExitError(`--watch takes seconds from 0.25 to 60, not "${String(options.watch)}"`, 2);
    const { client } = gatewayClient(options, io, { maxRetries: 1 });
    try {
      if (seconds === undefined) {
        const data = await read(client, recent);
        io.stdout.write(options.json ? JSON.stringify(data, null, 2) + '\n' : renderPanel(data, io.stdout));
        return 0;
      }
      const stop = new AbortController();
      void io.interrupted.then(() => stop.abort());
      const tty = io.stdout.isTTY === true;
      let drawing: Promise<void> | undefined;
      let again = false;
      const draw = async (): Promise<void> => {
        do {
          again = false;
          const text = renderPanel(await read(client, recent), io.stdout);
          if (stop.signal.aborted) return;
          io.stdout.write(tty ? `\x1b[2J\x1b[H${text}\nlive: Ctrl-C to stop\n` : `${text}\n`);
        } while (again && !stop.signal.aborted);
      };
      for await (const event of client.consciousness.stream({ intervalMs: Math.round(seconds * 1000), signal: stop.signal })) {
        if (options.json) {
          io.stdout.write(JSON.stringify(event) + '\n');
          continue;
        }
        if (drawing) {
          again = true;
          continue;
        }
        drawing = draw().finally(() => {
          drawing = undefined;
        });
      }
      await drawing;
      return 0;
    } catch (error) {
      throw describeApiError(error);
    } finally {
      await client.close();
    }
  },
});

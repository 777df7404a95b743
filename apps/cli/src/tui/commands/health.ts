import { renderHealth } from '../../commands/health/index.js';
import type { SlashCommand } from '../context.js';

/** `/health`: the same table as `maximus health`. */
export const health: SlashCommand = {
  name: 'health',
  summary: 'every service: status, latency, components',
  async run(ctx) {
    const result = await ctx.progress('health', (signal) => ctx.client.health({ signal }));
    ctx.print(renderHealth(result, ctx.stream));
  },
};

import { renderSpiritual } from '../../commands/spiritual/index.js';
import type { SlashCommand } from '../context.js';

/** `/spiritual`: the panel of `maximus spiritual`, as wide as the terminal. */
export const spiritual: SlashCommand = {
  name: 'spiritual',
  summary: 'PENELOPE: the fruits and virtues, scored',
  async run(ctx) {
    const [fruits, virtues] = await ctx.progress('fruits and virtues', (signal) => Promise.all([ctx.client.spiritual.fruits({ signal }), ctx.client.spiritual.virtues({ signal })]));
    ctx.print(renderSpiritual(fruits, virtues, ctx.stream, ctx.columns));
  },
};

import type { SlashCommand } from '../context.js';
import { help, quit } from './basics.js';
import { consciousness } from './consciousness.js';
import { governance } from './governance.js';
import { health } from './health.js';
import { analyze } from './analyze.js';
import { heal } from './pending.js';
import { spiritual } from './spiritual.js';

/** Every slash command, in the order /help lists them. */
export const SLASH_COMMANDS: readonly SlashCommand[] = [health, analyze, heal, spiritual, governance, consciousness, help(() => SLASH_COMMANDS), quit];

/** Other names people type for a command. */
export const ALIASES: Readonly<Record<string, string>> = { exit: 'quit', '?': 'help' };

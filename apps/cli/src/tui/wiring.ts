// The seam between the TUI and the CLI commands of services still being built.
//
// /heal runs the CLI command of the same name (the same code, inside the TUI: its
// output, its errors; Ctrl-C resolves its `io.interrupted` and aborts `io.signal`). Until a command is wired
// here, its slash command says that its service is not built yet. Wiring one that landed is one line:
//
//   import { heal } from '../commands/heal/index.js';   …   heal,   (in WIRED below)
//
// A dedicated handler (in ./commands/) can replace the bridge later to pass `ctx.signal` to its SDK calls.
import type { Maximus } from '@maximus/sdk';
import type { CommandSpec } from '../spec.js';

export type BridgedName = 'heal';

export const WIRED: Readonly<Partial<Record<BridgedName, CommandSpec<never>>>> = {};

/**
 * The consciousness state's part of `/consciousness` (arousal, TIG, ESGT), from `maximus consciousness` once it
 * lands: `(client, stream, signal) => rendered text`. Until then the live view shows the kill switch only.
 */
export const CONSCIOUSNESS_VIEW: ((client: Maximus, stream: NodeJS.WriteStream, signal: AbortSignal) => Promise<string>) | undefined = undefined;

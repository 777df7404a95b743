import { URL_OPTION } from '../../client.js';
import { defineCommand } from '../../spec.js';
import { runTui, type TuiOptions } from '../../tui/index.js';

export const tui = defineCommand<TuiOptions>({
  name: 'tui',
  summary: 'Interactive terminal (also `maximus` alone in a terminal)',
  description:
    'A prompt for /health, /analyze <path>, /heal <path>, /spiritual, /governance (decide pending decisions: y approves, ' +
    'n rejects with a reason), /consciousness (a live view), /help and /quit, above a status bar with the gateway, your principal ' +
    'and role (from GET /api/v1/whoami) and the connection state. Tab completes commands and paths; Up/Down walk the history ' +
    '($XDG_STATE_HOME/maximus/history, else ~/.local/state/maximus/history; 500 lines); Ctrl-C cancels the running command, twice ' +
    'at an empty prompt leaves, as do Ctrl-D and /quit. Works in 80x24 and over SSH; NO_COLOR is respected. When stdin or stdout ' +
    'is not a terminal (or with --plain, or TERM=dumb) it reads commands from stdin one a line and prints plain text; the exit ' +
    'code is then 1 when a command failed.',
  options: [URL_OPTION, { flags: '--plain', description: 'line mode even in a terminal: no status bar, line editing or spinner' }],
  examples: [
    { command: 'maximus', explains: 'in a terminal, the same as maximus tui' },
    { command: 'maximus tui --url https://maximus.example:8443', explains: 'against another gateway (its saved key, or MAXIMUS_API_KEY)' },
    { command: "printf '/health\\n/governance\\n' | maximus tui", explains: 'line mode: the commands from a pipe, plain text out' },
  ],
  run: (_args, options, io) => runTui(options, io),
});

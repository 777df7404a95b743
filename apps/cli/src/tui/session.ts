import type { Principal } from '@maximus/contracts';
import { APIError, APIUserAbortError, AuthenticationError, ConnectionError, NotFoundError, TimeoutError, type Maximus } from '@maximus/sdk';
import { describeApiError } from '../errors.js';
import { painter } from '../output.js';
import { tokenize } from './completion.js';
import { Cancelled, type SlashCommand, type TuiContext } from './context.js';
import type { ConnectionState } from './screen.js';

/** What one line did: `quit`, `failed` (its command threw), or nothing worth saying. */
export type Outcome = 'quit' | 'failed' | undefined;

/** The state both modes share: the client, who the user is, the commands, and how a line runs. */
export class Session {
  principal: Principal | undefined;
  state: ConnectionState = 'connecting';
  readonly hints = new Map<string, readonly string[]>();
  #listeners: ((session: Session) => void)[] = [];

  constructor(
    readonly client: Maximus,
    readonly url: string,
    readonly commands: readonly SlashCommand[],
    readonly aliases: Readonly<Record<string, string>> = {},
  ) {}

  /** Called whenever the principal or the connection state changes. */
  onChange(listener: (session: Session) => void): void {
    this.#listeners.push(listener);
  }

  #set(state: ConnectionState, principal: Principal | undefined) {
    const changed = state !== this.state || principal?.id !== this.principal?.id || principal?.role !== this.principal?.role;
    this.state = state;
    this.principal = principal;
    if (changed) for (const listener of this.#listeners) listener(this);
  }

  /** Asks the gateway who the user is (`GET /api/v1/whoami`): the status bar's principal, role and state. */
  async refresh(): Promise<void> {
    try {
      this.#set('connected', await this.client.whoami({ timeout: 5_000, maxRetries: 0 }));
    } catch (error) {
      if (error instanceof AuthenticationError) this.#set('unauthorised', undefined);
      else if (error instanceof NotFoundError) this.#set('connected', undefined); // a gateway older than /whoami
      else if (error instanceof APIError) this.#set('connected', this.principal);
      else this.#set('unreachable', this.principal);
    }
  }

  /** The command a line names (`/health`, `health`, an alias), and its arguments. */
  parse(line: string): { command?: SlashCommand; name: string; args: string[] } {
    const [first = '', ...args] = tokenize(line.trim());
    const typed = first.replace(/^\//, '');
    const name = this.aliases[typed] ?? typed;
    return { command: this.commands.find((c) => c.name === name), name: typed, args };
  }

  /** Runs one line; errors become a red line (the session goes on), Ctrl-C a yellow "cancelled". */
  async execute(line: string, ctx: TuiContext): Promise<Outcome> {
    if (!line.trim()) return undefined;
    const c = painter(ctx.stream);
    const { command, name, args } = this.parse(line);
    if (!command) {
      ctx.say(`${c.red(`unknown command /${name}`)}: /help lists them`);
      return 'failed';
    }
    try {
      return (await command.run(ctx, args)) ?? undefined;
    } catch (error) {
      if (ctx.signal.aborted || error instanceof Cancelled || error instanceof APIUserAbortError) {
        ctx.say(c.yellow(`/${command.name} cancelled`));
        return 'failed';
      }
      if (error instanceof AuthenticationError) this.#set('unauthorised', undefined);
      if (error instanceof ConnectionError || error instanceof TimeoutError) {
        this.#set('unreachable', this.principal);
        ctx.say(c.red(`cannot reach the MAXIMUS gateway at ${this.url}: ${error.message} (start it with \`maximus up\`, or pass --url)`));
      } else ctx.say(c.red(describeApiError(error).message));
      return 'failed';
    }
  }
}

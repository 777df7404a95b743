import { Writable } from 'node:stream';
import stringWidth from 'string-width';
import type { ChalkInstance } from 'chalk';
import { ANSI, fit, middle, type Glyphs } from './terminal.js';

/** What the status bar shows. */
export interface Status {
  readonly url: string;
  readonly principal?: string;
  readonly role?: string;
  /** `connecting`, `connected`, `unreachable`, `unauthorised` (a 401: no key, or a revoked one). */
  readonly state: ConnectionState;
}
export type ConnectionState = 'connecting' | 'connected' | 'unreachable' | 'unauthorised';

/** The terminal the interactive mode draws on: the scrolled area above, the status bar on the last row. */
export interface Screen {
  readonly columns: number;
  readonly rows: number;
  /** The stream readline writes to (the same terminal; a full clear redraws the status bar). */
  readonly output: NodeJS.WriteStream;
  write(text: string): void;
  /** Lines of output, each cut to the width; a spinner on the current line is cleared first. */
  print(text: string): void;
  /** Draws `text` on the current line (no newline): the spinner and the like. */
  transient(text: string): void;
  clearTransient(): void;
  setStatus(status: Partial<Status>): void;
  readonly status: Status;
  setup(): void;
  teardown(): void;
}

/**
 * The status bar is drawn with a scroll region (DECSTBM) of every row but the last, as apt draws its
 * progress bar: text scrolls above it and still reaches the terminal's scrollback (the region starts at row
 * one); readline's "clear to the end of the screen" would erase it, so the stream readline writes to redraws it.
 */
export function createScreen(stdout: NodeJS.WriteStream, paint: ChalkInstance, glyphs: Glyphs, initial: Status): Screen {
  let status = initial;
  let transientShown = false;
  let active = false;
  let drawnRows = 0;
  const columns = () => stdout.columns || 80;
  const rows = () => stdout.rows || 24;

  const bar = (): string => {
    const width = columns();
    const dot = status.state === 'connected' ? paint.green(glyphs.connected) : status.state === 'connecting' ? paint.yellow(glyphs.disconnected) : paint.red(glyphs.disconnected);
    const right = ` ${dot} ${status.state}${width >= 72 ? '  /help' : ''} `;
    const who = status.principal ?? (status.state === 'unauthorised' ? 'no valid credentials' : status.state === 'connecting' ? '…' : 'principal unknown');
    const role = status.principal ? ` (${status.role ?? '?'})` : '';
    const room = width - stringWidth(right) - stringWidth(role) - 5;
    // Both whole when they fit; else each keeps at least half the room, and what one does not need goes to the other.
    const whoRoom = Math.max(8, Math.min(stringWidth(who), Math.max(Math.ceil(room / 2), room - stringWidth(status.url))));
    const whoText = middle(who, whoRoom) + role;
    const urlText = middle(status.url, Math.max(8, room - whoRoom));
    const left = ` ${urlText} ${glyphs.separator} ${whoText}`;
    const gap = Math.max(1, width - stringWidth(left) - stringWidth(right));
    return fit(left + ' '.repeat(gap) + right, width);
  };

  const drawStatus = () => {
    if (!active) return;
    const line = bar();
    const pad = ' '.repeat(Math.max(0, columns() - stringWidth(line)));
    stdout.write(`${ANSI.saveCursor}${ANSI.to(rows())}${ANSI.clearLine}${ANSI.reverse}${line}${pad}${ANSI.reset}${ANSI.restoreCursor}`);
  };

  const region = () => {
    drawnRows = rows();
    stdout.write(`${ANSI.saveCursor}${ANSI.scrollRegion(1, drawnRows - 1)}${ANSI.restoreCursor}`);
  };

  const write = (text: string) => {
    stdout.write(text);
    // readline clears to the end of the screen on every redraw of its line (and Ctrl-L clears it all).
    if (active && (text.includes(ANSI.clearDown) || text.includes('\x1b[J') || text.includes('\x1b[2J'))) drawStatus();
  };

  const onResize = () => {
    if (!active) return;
    if (drawnRows && drawnRows !== rows()) stdout.write(`${ANSI.saveCursor}${ANSI.to(Math.min(drawnRows, rows()))}${ANSI.clearLine}${ANSI.restoreCursor}`);
    region();
    drawStatus();
  };

  class Output extends Writable {
    readonly isTTY = true;
    get columns() {
      return columns();
    }
    get rows() {
      return rows();
    }
    getColorDepth() {
      return stdout.getColorDepth();
    }
    hasColors(count?: number) {
      return stdout.hasColors(count);
    }
    override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
      write(typeof chunk === 'string' ? chunk : String(chunk));
      callback();
    }
  }
  const output = new Output({ decodeStrings: false });
  const forwardResize = () => output.emit('resize');

  return {
    get columns() {
      return columns();
    },
    get rows() {
      return rows();
    },
    output: output as unknown as NodeJS.WriteStream,
    get status() {
      return status;
    },
    write,
    print(text) {
      if (transientShown) {
        stdout.write(`\r${ANSI.clearLine}`);
        transientShown = false;
      }
      write(fit(text.endsWith('\n') ? text.slice(0, -1) : text, columns()) + '\n');
    },
    transient(text) {
      stdout.write(`\r${ANSI.clearLine}${fit(text, columns() - 1)}`);
      transientShown = true;
    },
    clearTransient() {
      if (transientShown) stdout.write(`\r${ANSI.clearLine}`);
      transientShown = false;
    },
    setStatus(next) {
      status = { ...status, ...next };
      drawStatus();
    },
    setup() {
      active = true;
      // Leave the current (empty) line where it is and make sure the row below it is free for the bar.
      stdout.write('\n' + ANSI.up(1));
      region();
      drawStatus();
      stdout.on('resize', onResize);
      stdout.on('resize', forwardResize);
    },
    teardown() {
      if (!active) return;
      stdout.off('resize', onResize);
      stdout.off('resize', forwardResize);
      active = false;
      stdout.write(`${ANSI.saveCursor}${ANSI.resetScrollRegion}${ANSI.to(rows())}${ANSI.clearLine}${ANSI.restoreCursor}`);
    },
  };
}

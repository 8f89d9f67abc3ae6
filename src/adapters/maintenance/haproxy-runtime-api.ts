import { createConnection, type Socket } from 'node:net';
import { errorMessage, TransportError } from '../../core/errors.js';

/** Where HAProxy's runtime API listens: a unix socket path or a TCP address. */
export type RuntimeApiAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/** `tcp://host:port` or a unix socket path (absolute, or already resolved by the caller). */
export function parseRuntimeApiAddress(text: string): RuntimeApiAddress | undefined {
  if (!text.startsWith('tcp://')) return { kind: 'unix', path: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const port = Number(url.port);
  if (url.hostname === '' || !Number.isInteger(port) || port < 1) return undefined;
  return { kind: 'tcp', host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

export function describeAddress(address: RuntimeApiAddress): string {
  return address.kind === 'unix' ? address.path : `tcp://${address.host}:${address.port}`;
}

/**
 * HAProxy's runtime API in its non-interactive mode: one connection per line, read until HAProxy
 * closes. A line holds one command, or several (`commands`) that HAProxy runs in order and
 * answers one after another: on a busy machine each connection is time inside the 503 window.
 * The caller makes sure a command holds no `;` or newline, which the API would take as another
 * command.
 */
export class HaproxyRuntimeApi {
  constructor(
    private readonly address: RuntimeApiAddress,
    private readonly timeoutMs = 5_000,
  ) {}

  get description(): string {
    return describeAddress(this.address);
  }

  command(command: string): Promise<string> {
    if (/[;\r\n]/.test(command)) {
      return Promise.reject(new Error(`refusing a runtime API command with ; or a newline: ${command}`));
    }
    return this.send(command);
  }

  /**
   * Several commands on one connection, each one's answer apart. HAProxy ends every answer with
   * an empty line, so the split holds only for commands whose answer has no empty line of its
   * own: `set server` (nothing, or one line saying why not), `show servers state`, `show stat`.
   */
  async commands(commands: readonly string[]): Promise<string[]> {
    const chained = commands.find((command) => /[;\r\n]/.test(command));
    if (chained !== undefined) {
      throw new Error(`refusing a runtime API command with ; or a newline: ${chained}`);
    }
    const answer = await this.send(commands.join('; '));
    const answers = splitAnswers(answer, commands.length);
    if (answers === undefined) {
      throw new TransportError(
        'haproxy',
        `runtime API ${this.description}: not ${commands.length} answers to "${commands.join('; ')}": ${JSON.stringify(answer.slice(0, 200))}`,
      );
    }
    return answers;
  }

  private send(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket: Socket =
        this.address.kind === 'unix'
          ? createConnection(this.address.path)
          : createConnection(this.address.port, this.address.host);
      const chunks: Buffer[] = [];
      const fail = (message: string, cause?: unknown): void => {
        socket.destroy();
        reject(
          new TransportError('haproxy', `runtime API ${this.description}: ${message}`, {
            cause,
          }),
        );
      };
      socket.setTimeout(this.timeoutMs, () => fail(`no answer to "${command}" within ${this.timeoutMs} ms`));
      socket.on('connect', () => socket.end(`${command}\n`));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (error) => fail(errorMessage(error), error));
      socket.on('close', (hadError) => {
        if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
  }
}

/**
 * The answers of `count` commands sent on one line: each is its text (empty, or lines ending in
 * a newline) followed by the empty line that ends it. undefined when the answer has another shape.
 */
export function splitAnswers(answer: string, count: number): string[] | undefined {
  const answers: string[] = [];
  let rest = answer;
  for (let index = 0; index < count; index++) {
    const end = rest.startsWith('\n') ? 0 : rest.indexOf('\n\n') + 1;
    if (end === 0 && !rest.startsWith('\n')) return undefined;
    answers.push(rest.slice(0, end));
    rest = rest.slice(end + 1);
  }
  return rest === '' ? answers : undefined;
}

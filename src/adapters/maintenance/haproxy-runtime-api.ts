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
 * One command per connection on HAProxy's runtime API (the non-interactive mode: send a line,
 * read until HAProxy closes). The caller makes sure a command holds no `;` or newline, which
 * the API would take as a second command.
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

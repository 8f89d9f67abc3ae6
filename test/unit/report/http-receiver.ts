import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got: its path, content type and JSON body. */
export interface ReceivedPost {
  readonly path: string;
  readonly type: string | undefined;
  readonly json: unknown;
}

/**
 * A real HTTP server on loopback that stands for Slack, Teams, Discord, a JSON collector or
 * PagerDuty: it records every POST and answers 202 (PagerDuty's answer; every chat takes a 2xx),
 * or `status(path)` when given.
 */
export interface HttpReceiver {
  /** The URL of `path` on this receiver. */
  url(path: string): string;
  readonly posts: ReceivedPost[];
  /** The bodies POSTed to one path, in order. */
  bodies(path: string): unknown[];
  close(): Promise<void>;
}

export async function startReceiver(status: (path: string) => number = () => 202): Promise<HttpReceiver> {
  const posts: ReceivedPost[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const path = request.url ?? '/';
      posts.push({ path, type: request.headers['content-type'], json: JSON.parse(text) });
      response.writeHead(status(path), { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    posts,
    bodies: (path) => posts.filter((post) => post.path === path).map((post) => post.json),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

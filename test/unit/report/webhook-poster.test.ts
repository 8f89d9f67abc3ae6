import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postToWebhook } from '../../../src/report/webhook-poster.js';
import { FakeClock } from '../engine/fakes/fake-clock.js';

interface Receiver {
  readonly url: string;
  readonly bodies: unknown[];
  readonly server: Server;
}

let receiver: Receiver | undefined;
afterEach(async () => {
  await new Promise((resolve) => receiver?.server.close(resolve) ?? resolve(undefined));
  receiver = undefined;
});

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
  });
}

/** A Slack-like receiver on loopback that answers `statuses` in turn, then 200. */
async function startReceiver(statuses: readonly number[]): Promise<Receiver> {
  const bodies: unknown[] = [];
  let calls = 0;
  const server = createServer(async (request, response) => {
    bodies.push({
      method: request.method,
      type: request.headers['content-type'],
      json: JSON.parse(await body(request)),
    });
    const status = statuses[calls] ?? 200;
    calls += 1;
    response.writeHead(status).end(status === 200 ? 'ok' : 'no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  receiver = { url: `http://127.0.0.1:${port}/services/T000/B000/secret-token`, bodies, server };
  return receiver;
}

describe('posting a status to a webhook', () => {
  it('sends Slack-compatible JSON with the text', async () => {
    const hook = await startReceiver([]);
    const result = await postToWebhook('wave 1: 3/30 done', { url: hook.url, clock: new FakeClock() });
    expect(result).toEqual({ ok: true, attempts: 1 });
    expect(hook.bodies).toEqual([
      { method: 'POST', type: 'application/json', json: { text: 'wave 1: 3/30 done' } },
    ]);
  });

  it('retries a failing receiver with a growing backoff until it answers', async () => {
    const hook = await startReceiver([503, 502]);
    const clock = new FakeClock();
    const result = await postToWebhook('update', { url: hook.url, clock });
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(hook.bodies).toHaveLength(3);
  });

  it('does not retry a request the receiver refuses for good', async () => {
    const hook = await startReceiver([404]);
    const result = await postToWebhook('update', { url: hook.url, clock: new FakeClock() });
    expect(result).toEqual({ ok: false, attempts: 1, error: 'HTTP 404' });
  });

  it('gives up after its attempts without throwing, and never names the URL with its token', async () => {
    const hook = await startReceiver([]);
    const url = hook.url;
    await new Promise((resolve) => hook.server.close(resolve));
    const result = await postToWebhook('update', { url, clock: new FakeClock(), attempts: 3 });
    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(3);
    expect(result.error).not.toContain('secret-token');
  });

  it('never names the token when an error quotes the URL in another spelling', async () => {
    const url = 'https://Hooks.Example.com/services/T0123ABCD/B0456EFGH/xoxb1234567890abcdefGHIJ';
    const failing = (async (input: string | URL | Request) => {
      throw new TypeError(`request to ${new URL(String(input)).href} failed`);
    }) as typeof fetch;
    const result = await postToWebhook('update', {
      url,
      clock: new FakeClock(),
      attempts: 1,
      fetch: failing,
    });
    expect(result.error).toBe(
      'TypeError: request to https://hooks.example.com/services/T0123ABCD/B0456EFGH/*** failed',
    );
  });
});

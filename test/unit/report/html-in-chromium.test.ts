import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWaveReport } from '../../../src/report/build-wave-report.js';
import { renderReportHtml } from '../../../src/report/render-html.js';
import { LIMITS, PLANNED_SERVERS, SyntheticJournal } from './synthetic-journal.js';

/** Debian's chromium (apt-get install chromium), or another Chromium on the PATH. */
function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const chromium = findChromium();
if (chromium === undefined)
  console.log('html-in-chromium: skipped, no chromium on the PATH (apt-get install chromium)');

/**
 * Every request the page makes goes to this proxy (file:// pages are not proxied, so anything
 * that reaches it is the page reaching for the network), which answers 502 and remembers it.
 */
interface NetworkTrap {
  readonly requests: string[];
  readonly server: Server;
  readonly port: number;
}

async function startTrap(): Promise<NetworkTrap> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(502).end();
  });
  server.on('connect', (request, socket) => {
    requests.push(`CONNECT ${request.url}`);
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { requests, server, port: (server.address() as AddressInfo).port };
}

/**
 * Chromium's own service calls (component updates, account checks) go through the proxy too,
 * whatever the page holds, even with the flags below: they are the browser's, not the page's.
 * Only these exact hosts are left out, so a font or script from any other host still counts.
 */
const BROWSER_SERVICE_HOSTS = ['update.googleapis.com', 'accounts.google.com', 'clients2.google.com'];

function pageRequests(requests: readonly string[]): string[] {
  return requests.filter(
    (request) =>
      !BROWSER_SERVICE_HOSTS.some(
        (host) => request.includes(`${host}:443`) || request.includes(`//${host}/`),
      ),
  );
}

function dumpDom(browser: string, file: string, proxyPort: number, profile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      browser,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        '--disable-default-apps',
        '--disable-domain-reliability',
        '--disable-client-side-phishing-detection',
        '--no-pings',
        '--disable-features=OptimizationHints,MediaRouter,AutofillServerCommunication,NetworkTimeServiceQuerying',
        `--user-data-dir=${profile}`,
        `--proxy-server=http://127.0.0.1:${proxyPort}`,
        '--proxy-bypass-list=<-loopback>',
        '--virtual-time-budget=3000',
        '--dump-dom',
        `file://${file}`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let dom = '';
    child.stdout.on('data', (chunk) => {
      dom += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(dom) : reject(new Error(`chromium exited ${code}`))));
  });
}

function sampleReportHtml(): string {
  const journal = new SyntheticJournal().waveStarted(1, ['db-a1', 'db-b1', 'db-c1']);
  journal.healthyServer(1, 'db-a1', { shutdownMs: 900_000, fsyncsAfter: 160 });
  journal.startFailsServer(1, 'db-b1');
  journal.healthyServer(1, 'db-c1');
  journal.add({ kind: 'wave', wave: 1, event: 'finished' });
  const report = buildWaveReport({
    campaign: journal.campaign,
    wave: 1,
    records: journal.records,
    plannedServers: PLANNED_SERVERS,
    limits: LIMITS,
    now: journal.clock,
  });
  return renderReportHtml(report, { timezone: 'America/Los_Angeles' });
}

/** A browser's start on a busy 2-core machine (the unit suite runs beside it) takes seconds, not tens of ms. */
const BROWSER_TEST_TIMEOUT_MS = 90_000;

describe.skipIf(chromium === undefined)('the HTML report in headless Chromium', () => {
  let directory: string;
  let trap: NetworkTrap;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dbwave-html-'));
    trap = await startTrap();
  });
  afterAll(async () => {
    await new Promise((resolve) => trap.server.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  it(
    'renders every section and chart without a single network request',
    async () => {
      const file = join(directory, 'report.html');
      await writeFile(file, sampleReportHtml());
      const dom = await dumpDom(chromium ?? '', file, trap.port, join(directory, 'profile-report'));
      expect(dom).toContain('fleet-5158: wave 1');
      expect(dom).toContain('503 window per server');
      expect(dom).toContain('Clean shutdown per server');
      expect(dom).toContain('InnoDB rate shifts after the upgrade');
      expect(dom.match(/<svg /g)).toHaveLength(3);
      expect(dom).toContain('id="server-db-b1"');
      expect(pageRequests(trap.requests)).toEqual([]);
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'would catch a page that reaches for the network (the trap works)',
    async () => {
      const file = join(directory, 'canary.html');
      await writeFile(file, '<!doctype html><img src="http://dbwave-canary.invalid/pixel.png"><p>canary</p>');
      const dom = await dumpDom(chromium ?? '', file, trap.port, join(directory, 'profile-canary'));
      expect(dom).toContain('canary');
      expect(pageRequests(trap.requests).some((request) => request.includes('dbwave-canary.invalid'))).toBe(
        true,
      );
    },
    BROWSER_TEST_TIMEOUT_MS,
  );
});

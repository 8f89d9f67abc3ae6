import { describe, expect, it } from 'vitest';
import type { CommandResult, ExecOptions, RemoteShell } from '../../../src/engine/ports/remote-shell.js';
import { maintenanceWindowFor } from './maintenance-fixtures.js';
import { serverNamed } from './server-fixtures.js';

interface SeenRequest {
  readonly url: string;
  readonly method: string | undefined;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** A fetch that records requests and answers with the status `answer` picks. */
function recordingFetch(answer: (url: string) => number): { fetch: typeof fetch; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    seen.push({
      url,
      method: init?.method,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return new Response('ok', { status: answer(url) });
  };
  return { fetch: fake as typeof fetch, seen };
}

/** A shell that records commands and answers each with an exit status. */
class RecordingShell implements RemoteShell {
  readonly commands: string[] = [];
  readonly options: ExecOptions[] = [];
  constructor(private readonly exitCode: (command: string) => number | null) {}
  async exec(command: string, options: ExecOptions): Promise<CommandResult> {
    this.commands.push(command);
    this.options.push(options);
    return { exitCode: this.exitCode(command), stdout: '', stderr: 'lb says no\n', durationMs: 1 };
  }
  async close(): Promise<void> {}
}

const db01 = serverNamed('db-01', { shard: 'users a/b' });

describe('HttpMaintenance', () => {
  const spec = {
    adapter: 'http' as const,
    open: {
      method: 'POST' as const,
      url: 'https://lb.example/api/shards/{{shard}}/maintenance',
      headers: { 'X-Requested-By': 'dbwave {{campaign}}' },
      body: '{"server":"{{name}}","reason":"upgrade to {{toVersion}}"}',
    },
    close: { method: 'DELETE' as const, url: 'https://lb.example/api/shards/{{shard}}/maintenance' },
    status: { method: 'GET' as const, url: 'https://lb.example/api/shards/{{shard}}/maintenance' },
  };

  it('sends the rendered call: values percent-encoded in the URL, as written in headers and body', async () => {
    const { fetch, seen } = recordingFetch(() => 200);
    await maintenanceWindowFor(spec, 'waves/c.yaml', { fetch }).open(db01);
    expect(seen).toEqual([
      {
        url: 'https://lb.example/api/shards/users%20a%2Fb/maintenance',
        method: 'POST',
        headers: { 'x-requested-by': 'dbwave unit-campaign' },
        body: '{"server":"db-01","reason":"upgrade to 10.11.19"}',
      },
    ]);
  });

  it('fails an open or close that does not answer 2xx, naming the status', async () => {
    const { fetch } = recordingFetch(() => 409);
    await expect(maintenanceWindowFor(spec, 'waves/c.yaml', { fetch }).close(db01)).rejects.toThrow(
      /answered 409/,
    );
  });

  it('reads the status call: 2xx open, 404 closed', async () => {
    const open = maintenanceWindowFor(spec, 'waves/c.yaml', { fetch: recordingFetch(() => 200).fetch });
    const closed = maintenanceWindowFor(spec, 'waves/c.yaml', { fetch: recordingFetch(() => 404).fetch });
    expect(await open.isOpen(db01)).toBe(true);
    expect(await closed.isOpen(db01)).toBe(false);
  });

  it('never shows the credentials or tokens of the URL in its errors', async () => {
    const secret = {
      ...spec,
      open: { method: 'POST' as const, url: 'https://ops:hunter2@lb.example/api/{{shard}}?token=s3cr3t' },
      close: { method: 'DELETE' as const, url: 'https://ops:hunter2@lb.example:99999/api?token=s3cr3t' },
    };
    const refusing = maintenanceWindowFor(secret, 'waves/c.yaml', { fetch: recordingFetch(() => 403).fetch });
    const refused = await refusing.open(db01).catch((error: Error) => error);
    expect(String(refused)).toContain('POST https://***@lb.example/api/users%20a%2Fb?token=*** answered 403');
    // The real fetch refuses the port and quotes the whole URL in its own message.
    const failing = maintenanceWindowFor(secret, 'waves/c.yaml', {});
    const failed = await failing.close(db01).catch((error: Error) => error);
    expect(String(failed)).toContain('DELETE https://***@lb.example:99999/api?token=***');
    for (const error of [refused, failed]) {
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toMatch(/hunter2|s3cr3t/);
      expect(String(error)).not.toMatch(/hunter2|s3cr3t/);
    }
  });

  it('cannot tell whether the window is open without a status call', async () => {
    const { status: _status, ...withoutStatus } = spec;
    const window = maintenanceWindowFor(withoutStatus, 'waves/c.yaml', {
      fetch: recordingFetch(() => 200).fetch,
    });
    expect(await window.isOpen(db01)).toBeUndefined();
  });
});

describe('CommandMaintenance', () => {
  const spec = {
    adapter: 'command' as const,
    open: 'lbctl drain {{shard}} --server {{name}}',
    close: 'lbctl undrain {{shard}} --server {{name}}',
    status: 'lbctl is-drained {{shard}}',
    transport: 'ssh' as const,
  };

  it('runs the rendered commands, each value shell-quoted, in the server shell it is given', async () => {
    const shell = new RecordingShell(() => 0);
    const window = maintenanceWindowFor(spec, 'waves/c.yaml', { serverShell: async () => shell });
    await window.open(db01);
    await window.close(db01);
    expect(shell.commands).toEqual([
      "lbctl drain 'users a/b' --server 'db-01'",
      "lbctl undrain 'users a/b' --server 'db-01'",
    ]);
  });

  it('reads status exit 0 as open and 1 as closed, and lets only the status run twice', async () => {
    const open = new RecordingShell(() => 0);
    const closed = new RecordingShell(() => 1);
    expect(await maintenanceWindowFor(spec, 'c.yaml', { serverShell: async () => open }).isOpen(db01)).toBe(
      true,
    );
    expect(await maintenanceWindowFor(spec, 'c.yaml', { serverShell: async () => closed }).isOpen(db01)).toBe(
      false,
    );
    expect(open.options[0]?.idempotent).toBe(true);
  });

  it('fails a command that exits non-zero, quoting its last line of output', async () => {
    const shell = new RecordingShell(() => 2);
    const window = maintenanceWindowFor(spec, 'waves/c.yaml', { serverShell: async () => shell });
    await expect(window.open(db01)).rejects.toThrow(/maintenance open command exited 2: lb says no/);
  });

  it('runs local commands on this machine', async () => {
    const window = maintenanceWindowFor(
      { adapter: 'command', open: 'test {{name}} = db-01', close: 'true', transport: 'local' },
      'waves/c.yaml',
    );
    await expect(window.open(db01)).resolves.toBeUndefined();
    await expect(window.isOpen(db01)).resolves.toBeUndefined();
  });
});

describe('no maintenance', () => {
  it('does nothing and cannot tell', async () => {
    const window = maintenanceWindowFor({ adapter: 'none' }, 'waves/c.yaml');
    await window.open(db01);
    await window.close(db01);
    expect(await window.isOpen(db01)).toBeUndefined();
  });
});

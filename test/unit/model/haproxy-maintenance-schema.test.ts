import { describe, expect, it } from 'vitest';
import { DEFAULT_DRAIN_TIMEOUT_MS, maintenanceSchema } from '../../../src/model/campaign-schema.js';

const names = { adapter: 'haproxy', backend: '{{shard}}', server: '{{name}}' } as const;

function issues(input: unknown): string[] {
  const result = maintenanceSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('maintenance: adapter haproxy', () => {
  it('keeps the one-socket form as it was, and drains 30s by default', () => {
    expect(maintenanceSchema.parse({ ...names, socket: '/run/haproxy/admin.sock' })).toEqual({
      ...names,
      socket: '/run/haproxy/admin.sock',
      sockets: ['/run/haproxy/admin.sock'],
      drainTimeout: DEFAULT_DRAIN_TIMEOUT_MS,
    });
    expect(DEFAULT_DRAIN_TIMEOUT_MS).toBe(30_000);
  });

  it('takes several instances in sockets, the first of them also as socket', () => {
    const spec = maintenanceSchema.parse({
      ...names,
      sockets: ['tcp://lb-dc1:9999', 'tcp://lb-dc2:9999'],
      drainTimeout: '0s',
    });
    expect(spec).toMatchObject({
      socket: 'tcp://lb-dc1:9999',
      sockets: ['tcp://lb-dc1:9999', 'tcp://lb-dc2:9999'],
      drainTimeout: 0,
    });
  });

  it('needs socket or sockets, not both and not neither, and no instance twice', () => {
    expect(issues(names)).toEqual(['sockets: needs socket (one HAProxy) or sockets (several)']);
    expect(issues({ ...names, socket: 'a.sock', sockets: ['b.sock'] })).toEqual([
      'sockets: give socket (one HAProxy) or sockets (several), not both',
    ]);
    expect(issues({ ...names, sockets: ['a.sock', 'a.sock'] })).toEqual(['sockets: lists a socket twice']);
    expect(issues({ ...names, sockets: [] })).toHaveLength(1);
    expect(issues({ ...names, socket: 'a.sock', drainTimeout: 30 })).toEqual([
      'drainTimeout: must be a duration such as 90s, 10m or 1h (a bare number has no unit)',
    ]);
  });
});

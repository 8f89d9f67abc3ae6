import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn } from '../../../src/core/redact-url.js';

describe('redactUrl', () => {
  it('masks userinfo and every query-string value, keeping the rest as written', () => {
    expect(redactUrl('https://user:pass@host/path?token=x')).toBe('https://***@host/path?token=***');
    expect(redactUrl('https://lb.example/api/maintenance?shard=a&api_key=abc&debug')).toBe(
      'https://lb.example/api/maintenance?shard=***&api_key=***&***',
    );
  });

  it('masks a token-like path segment and the fragment, but not names and API words', () => {
    expect(redactUrl('https://hooks.slack.com/services/T0123ABCD/B0456EFGH/xoxb1234567890abcdefGHIJ')).toBe(
      'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/***',
    );
    expect(redactUrl('https://lb.example/api/servers/db-phx-017/maintenance#access_token=abc')).toBe(
      'https://lb.example/api/servers/db-phx-017/maintenance#***',
    );
  });

  it('leaves an URL without secrets unchanged, byte for byte', () => {
    for (const url of [
      'https://lb.example',
      'http://127.0.0.1:8080/api/shards/users%20a%2Fb/maintenance',
      'https://x/#',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('masks text that is no valid URL as well (a template gone wrong)', () => {
    expect(redactUrl('https://us er:p@ss@[bad/x?token=1')).toBe('https://***@[bad/x?token=***');
    expect(redactUrl('not a url?secret=1')).toBe('not a url?secret=***');
  });

  it('redacts every URL quoted inside a message', () => {
    expect(redactUrlsIn('TypeError: Failed to parse URL from https://a:b@h/p?k=v: bad port')).toBe(
      'TypeError: Failed to parse URL from https://***@h/p?k=***: bad port',
    );
    expect(redactUrlsIn('connect ECONNREFUSED 127.0.0.1:443')).toBe('connect ECONNREFUSED 127.0.0.1:443');
  });
});

/**
 * URLs from a campaign (maintenance APIs, webhooks) often carry credentials: `user:pass@`, a
 * `?token=` or a token as a path segment (Slack's `/services/T.../B.../<token>`). Whatever shows
 * an URL to a person (an error, a log line, a report) shows it through these helpers.
 */

const MASK = '***';

/**
 * A path segment this long, of URL-safe characters with letters and digits mixed, is taken for a
 * token: long enough to spare server names, ids and API words (`servers`, `db-phx-017`).
 */
const TOKEN_LIKE_SEGMENT = /^(?=[^/]*[A-Za-z])(?=[^/]*\d)[A-Za-z0-9._~+=%-]{20,}$/;

/**
 * The URL with its secrets masked and the rest as written: userinfo becomes `***@`, every
 * query-string value and the fragment `***`, a token-like path segment `***`. Works on text
 * that is no valid URL too (it is only split, never parsed), so a template gone wrong is still
 * masked. `https://user:pass@host/path?token=x` → `https://***@host/path?token=***`.
 */
export function redactUrl(url: string): string {
  const fragmentAt = url.indexOf('#');
  const withoutFragment = fragmentAt === -1 ? url : url.slice(0, fragmentAt);
  const fragment = fragmentAt === -1 ? '' : fragmentAt === url.length - 1 ? '#' : `#${MASK}`;
  const queryAt = withoutFragment.indexOf('?');
  const beforeQuery = queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const query = queryAt === -1 ? '' : `?${redactQuery(withoutFragment.slice(queryAt + 1))}`;

  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(beforeQuery)?.[0] ?? '';
  const afterScheme = beforeQuery.slice(scheme.length);
  const pathAt = afterScheme.indexOf('/');
  const authority = pathAt === -1 ? afterScheme : afterScheme.slice(0, pathAt);
  const path = pathAt === -1 ? '' : afterScheme.slice(pathAt);
  const userinfoEnd = scheme === '' ? -1 : authority.lastIndexOf('@');
  const host = userinfoEnd === -1 ? authority : `${MASK}@${authority.slice(userinfoEnd + 1)}`;

  return `${scheme}${host}${redactPath(path)}${query}${fragment}`;
}

/** Every `scheme://...` in a text (an error message that quotes the URL it failed on) redacted. */
export function redactUrlsIn(text: string): string {
  // Punctuation that ends a sentence ends the URL too, as a reader would take it.
  return text.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>`]*[^\s"'<>`.,:;)]/g, (url) => redactUrl(url));
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      if (pair === '') return pair;
      const equals = pair.indexOf('=');
      // A bare item (`?abc123`) may itself be the token.
      return equals === -1 ? MASK : `${pair.slice(0, equals)}=${MASK}`;
    })
    .join('&');
}

function redactPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (TOKEN_LIKE_SEGMENT.test(segment) ? MASK : segment))
    .join('/');
}

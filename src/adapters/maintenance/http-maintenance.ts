import { errorMessage, InputError, TransportError } from '../../core/errors.js';
import { redactUrl, redactUrlsIn } from '../../core/redact-url.js';
import type { MaintenanceWindow } from '../../engine/ports/maintenance-window.js';
import type { MaintenanceSpec } from '../../model/campaign-schema.js';
import {
  renderTemplate,
  type TemplateCampaign,
  type TemplateVariables,
  templateVariables,
} from '../../model/command-template.js';
import type { ResolvedServer } from '../../model/resolved-server.js';

type HttpSpec = Extract<MaintenanceSpec, { adapter: 'http' }>;
type HttpCall = HttpSpec['open'];

export interface HttpMaintenanceOptions {
  readonly spec: HttpSpec;
  readonly campaign: TemplateCampaign;
  readonly campaignFile: string;
  /** Per call (default 10s). */
  readonly timeoutMs?: number;
  /** Injected in tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

/**
 * The 503 window as HTTP calls to the load balancer's or service's own API. Values go into
 * the URL percent-encoded, into headers and body as they are (a header value with a line
 * break is refused). `open` and `close` need a 2xx answer; the optional `status` call answers
 * 2xx while the window is open and anything else (404) when it is closed. Errors show the URL
 * through `redactUrl`: its credentials and tokens never reach a message, log or journal.
 */
export class HttpMaintenance implements MaintenanceWindow {
  constructor(private readonly options: HttpMaintenanceOptions) {}

  async open(server: ResolvedServer): Promise<void> {
    await this.call(server, this.options.spec.open, 'open', true);
  }

  async close(server: ResolvedServer): Promise<void> {
    await this.call(server, this.options.spec.close, 'close', true);
  }

  async isOpen(server: ResolvedServer): Promise<boolean | undefined> {
    const status = this.options.spec.status;
    if (status === undefined) return undefined;
    return (await this.call(server, status, 'status', false)).ok;
  }

  private async call(
    server: ResolvedServer,
    call: HttpCall,
    key: 'open' | 'close' | 'status',
    mustSucceed: boolean,
  ): Promise<Response> {
    const variables = templateVariables(server, this.options.campaign);
    const request = this.render(call, variables, `maintenance.${key}`, server);
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(request.url, {
        method: call.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      // fetch quotes the URL in some of its messages ("Failed to parse URL from ..."); the
      // cause is dropped for the same reason: whatever prints it would print the token.
      const why = redactUrlsIn(errorMessage(error).split(request.url).join(redactUrl(request.url)));
      throw new TransportError(
        server.name,
        `maintenance ${key}: ${call.method} ${redactUrl(request.url)}: ${why}`,
      );
    }
    // Drained so the connection can be reused; the body is not needed.
    await response.arrayBuffer().catch(() => undefined);
    if (mustSucceed && !response.ok) {
      throw new TransportError(
        server.name,
        `maintenance ${key}: ${call.method} ${redactUrl(request.url)} answered ${response.status} ${response.statusText}`,
        { retryable: response.status >= 500 || response.status === 429 },
      );
    }
    return response;
  }

  private render(
    call: HttpCall,
    variables: TemplateVariables,
    key: string,
    server: ResolvedServer,
  ): { url: string; headers: Record<string, string>; body?: string } {
    const file = this.options.campaignFile;
    const url = renderTemplate(call.url, variables, { file, key: `${key}.url` }, encodeURIComponent);
    const headers: Record<string, string> = {};
    for (const [name, template] of Object.entries(call.headers ?? {})) {
      const value = renderTemplate(template, variables, { file, key: `${key}.headers.${name}` }, (v) => v);
      if (/[\r\n]/.test(value)) {
        throw InputError.of(file, `${key}.headers.${name}`, `holds a line break for ${server.name}`);
      }
      headers[name] = value;
    }
    const body =
      call.body === undefined
        ? undefined
        : renderTemplate(call.body, variables, { file, key: `${key}.body` }, (value) => value);
    return body === undefined ? { url, headers } : { url, headers, body };
  }
}

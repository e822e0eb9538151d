/**
 * The POS API over HTTP (Basic terminal auth). Tells "the server did not answer" (network error, timeout,
 * 5xx — the terminal may fall back to offline) from "the server answered" (an approval, a decline, a
 * problem+json about bad input — never a reason to go offline).
 */
export class ServerUnreachable extends Error {
  constructor(
    readonly reason: 'network' | 'timeout' | 'server_error',
    message: string,
  ) {
    super(message);
  }
}

export class PosApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${String(problem.detail ?? problem.title ?? '')}`);
  }
}

export interface HttpOptions {
  baseUrl: string;
  terminalCode: string;
  secret: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class PosHttp {
  private readonly auth: string;
  private readonly fetch: typeof fetch;
  constructor(private readonly options: HttpOptions) {
    this.auth = `Basic ${Buffer.from(`${options.terminalCode}:${options.secret}`).toString('base64')}`;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = this.options.timeoutMs): Promise<T> {
    const res = await this.request(method, path, body, timeoutMs);
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok) throw new PosApiError(res.status, String(parsed.code ?? 'http_error'), parsed);
    return parsed as T;
  }

  async request(method: 'GET' | 'POST', path: string, body: unknown, timeoutMs = this.options.timeoutMs): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetch(new URL(path, this.options.baseUrl), {
        method,
        headers: { authorization: this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new ServerUnreachable('timeout', `no answer within ${timeoutMs} ms`);
      throw new ServerUnreachable('network', (error as Error).message);
    }
    if (res.status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      throw new ServerUnreachable('server_error', `server answered ${res.status}`);
    }
    return res;
  }
}

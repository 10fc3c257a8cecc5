import type { TestApp } from './app.js';
import { signedIn } from './app.js';

export interface ApiReply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON as the API answered it
  headers: Headers;
}

/** A JSON client of /api/v1 holding one bearer token, as an integration would use it. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  get(path: string, headers: Record<string, string> = {}): Promise<ApiReply> {
    return this.send('GET', path, undefined, headers);
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiReply> {
    return this.send('POST', path, JSON.stringify(body), headers);
  }

  patch(path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiReply> {
    return this.send('PATCH', path, JSON.stringify(body), headers);
  }

  delete(path: string): Promise<ApiReply> {
    return this.send('DELETE', path);
  }

  /** A request as given: any body, any headers (the token is added unless `authorization` is set). */
  async send(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<ApiReply> {
    const res = await fetch(this.baseUrl + path, {
      method,
      body,
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: the text as is
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
}

/**
 * A personal token made as a user makes one: signed in, on My account → API tokens. Answers the
 * token shown once on the page.
 */
export async function makeToken(
  t: TestApp,
  user: { id: number; email: string },
  fields: { name?: string; expiresInDays?: string } = {},
  lang: 'en' | 'zh-CN' = 'en',
): Promise<string> {
  const c = await signedIn(t, user, lang);
  const reply = await c.submit('/account/tokens', { name: fields.name ?? 'integration', ...fields });
  if (reply.status !== 201) throw new Error(`making a token answered ${reply.status}`);
  const token = /<code class="token">([^<]+)<\/code>/.exec(reply.text)?.[1];
  if (!token) throw new Error('no token on the page');
  return token;
}

/** An API client for `user` with a fresh token. */
export async function apiAs(
  t: TestApp,
  user: { id: number; email: string },
  lang: 'en' | 'zh-CN' = 'en',
): Promise<ApiClient> {
  return new ApiClient(t.url, await makeToken(t, user, {}, lang));
}

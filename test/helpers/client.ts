/**
 * A browser-like HTTP client: keeps the session cookie, does not follow redirects (tests look at
 * them), and sends the CSRF token of the last page it read, as a form would.
 */
export interface Reply {
  status: number;
  text: string;
  location: string | null;
  headers: Headers;
}

export class Client {
  private cookies = new Map<string, string>();
  csrf: string | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  get sessionId(): string | undefined {
    return this.cookies.get('kehu.sid');
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.request('GET', path, undefined, headers);
  }

  /** Posts a form; `_csrf` is the token of the last page read unless the fields say otherwise. */
  async post(
    path: string,
    fields: Record<string, string | string[]> = {},
    opts: { csrf?: boolean } = {},
  ): Promise<Reply> {
    const body = new URLSearchParams();
    if (opts.csrf !== false && this.csrf && !('_csrf' in fields)) body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields))
      for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    return this.request('POST', path, body, { 'content-type': 'application/x-www-form-urlencoded' });
  }

  /** Posts a multipart form with one file, as a browser uploads it; `_csrf` as for post(). */
  async upload(
    path: string,
    file: { name: string; content: Buffer | string; type?: string },
    fields: Record<string, string> = {},
  ): Promise<Reply> {
    const form = new FormData();
    if (this.csrf && !('_csrf' in fields)) form.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append(
      'file',
      new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)], {
        type: file.type ?? 'application/octet-stream',
      }),
      file.name,
    );
    return this.request('POST', path, form);
  }

  /** Reads the page (for its CSRF token), then posts to it. */
  async submit(
    pagePath: string,
    fields: Record<string, string | string[]>,
    action = pagePath,
  ): Promise<Reply> {
    const page = await this.get(pagePath);
    if (page.status !== 200) throw new Error(`GET ${pagePath} answered ${page.status}`);
    return this.post(action, fields);
  }

  async login(email: string, password = 'kehu-demo-2026'): Promise<Reply> {
    const reply = await this.submit('/login', { email, password });
    if (reply.status !== 303) throw new Error(`login as ${email} answered ${reply.status}`);
    return reply;
  }

  private async request(
    method: string,
    path: string,
    body?: URLSearchParams | FormData,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(this.baseUrl + path, {
      method,
      body,
      redirect: 'manual',
      headers: { ...this.defaultHeaders, ...headers, ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1];
    return { status: res.status, text, location: res.headers.get('location'), headers: res.headers };
  }
}

/** The visible text of an HTML fragment, whitespace folded: what a reader would see. */
export function visibleText(html: string): string {
  return decodeHtml(html.replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Undoes Handlebars' escaping, e.g. of a link's href. */
export function decodeHtml(text: string): string {
  const entities: Record<string, string> = {
    lt: '<',
    gt: '>',
    quot: '"',
    '#x27': "'",
    '#x3D': '=',
    '#x60': '`',
    amp: '&',
  };
  return text.replace(/&(lt|gt|quot|#x27|#x3D|#x60|amp);/g, (_, name: string) => entities[name]);
}

/** The target of the first link with rel="next" on a page. */
export function nextLink(html: string): string | null {
  const m = /href="([^"]+)" rel="next"/.exec(html);
  return m ? decodeHtml(m[1]) : null;
}

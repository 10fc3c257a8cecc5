import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { makeToken } from '../helpers/api.js';
import { createUser } from '../helpers/factories.js';

/**
 * Requests Kehu cannot read (a body that does not parse, an address that does not decode, a NUL byte)
 * answer with Kehu's own page or JSON, in the user's language, and never show how Kehu is built.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

/** What must never reach a user: stack frames, file paths, Express's own page. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat \S+ \(|node_modules|\/work\/|dist\/src|<pre>|SyntaxError|PayloadTooLarge/);
}

async function raw(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await fetch(t.url + path, { redirect: 'manual', ...init });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

describe('a body that does not parse', () => {
  it('malformed JSON gets JSON under /api, in the token user’s language', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const token = await makeToken(t, user, {}, 'zh-CN');
    const reply = await raw('/api/v1/customers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{"name": ',
    });
    expect(reply.status).toBe(400);
    expect(reply.type).toContain('application/json');
    expect(JSON.parse(reply.text)).toMatchObject({ statusCode: 400, message: '无法识别该请求。' });
    expectNoInternals(reply.text);
  });

  it('malformed JSON sent to a page gets JSON too (a JSON request)', async () => {
    const reply = await raw('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'en', accept: 'application/json' },
      body: '{oops',
    });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toMatchObject({
      statusCode: 400,
      message: 'The request could not be understood.',
    });
    expectNoInternals(reply.text);
  });

  it("an unknown charset gets Kehu's page, anonymous users included", async () => {
    for (const [lang, words] of [
      ['en', 'The request could not be understood.'],
      ['zh-CN', '无法识别该请求。'],
    ]) {
      const reply = await raw('/login', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=klingon',
          'accept-language': lang,
        },
        body: 'email=a&password=b',
      });
      expect(reply.status).toBe(415);
      expect(reply.type).toContain('text/html');
      expect(visibleText(reply.text)).toContain(words);
      expect(visibleText(reply.text)).toContain('Kehu');
      expectNoInternals(reply.text);
    }
  });

  it("a form over the size limit gets Kehu's page in the user's language", async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user, 'zh-CN');
    const reply = await c.post('/customers/new', { name: 'x'.repeat(3 * 1024 * 1024) });
    expect(reply.status).toBe(413);
    expect(visibleText(reply.text)).toContain('上传的文件过大');
    expectNoInternals(reply.text);
  });

  it("%ff in the address gets Kehu's 400 page", async () => {
    const reply = await raw('/customers/%ff', { headers: { 'accept-language': 'en' } });
    expect([400, 404]).toContain(reply.status);
    expect(reply.type).toContain('text/html');
    expect(visibleText(reply.text)).toMatch(/could not be understood|does not exist/);
    expectNoInternals(reply.text);
    const api = await raw('/api/v1/customers/%ff', { headers: { 'accept-language': 'en' } });
    expect(api.type).toContain('application/json');
    expectNoInternals(api.text);
  });
});

describe('a NUL byte', () => {
  it('in a search is refused as a bad address, not a server error', async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user, 'en');
    const reply = await c.get('/customers?q=a%00b');
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(visibleText(reply.text)).toContain('q');
    expectNoInternals(reply.text);
  });

  it("in a form field is a field error on the form, in the user's language", async () => {
    const user = await createUser(t.db, { role: 'sales' });
    const c = await signedIn(t, user, 'zh-CN');
    const name = `NUL Trading ${user.id}`;
    const reply = await c.submit(
      '/customers/new',
      customerForm({ name: `${name}\u0000Ltd`, address: 'Road 1' }),
    );
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('包含不允许的字符（NUL）');
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM customer WHERE name LIKE $1', [
      `${name}%`,
    ]);
    expect(rows[0].n).toBe(0);
  });
});

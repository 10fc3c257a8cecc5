import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Handlebars from 'handlebars';
import pg from 'pg';
import type { Statement } from './database.js';

/**
 * The bare baseline `npm run bench` measures Kehu against, in its own process: node:http, a pg Pool
 * of the same size as Kehu's, one precompiled Handlebars template per page. For each page it checks
 * the signed session cookie as express-session does (`s:<sid>.<HMAC-SHA256 of sid, base64 without
 * padding>` with the same secret), runs the statements Kehu ran for that page, with the same
 * parameters, in the same order, and renders Kehu's captured HTML of the page with the rows it
 * fetched. Started by scripts/bench.ts as `node baseline.js <spec.json>`; listens on PORT.
 */
export interface BaselinePage {
  /** The request path and query, e.g. /customers?q=bjhx */
  path: string;
  /** The session this page is captured for: the same path shows each user their own page. */
  sid: string;
  email: string;
  statements: Statement[];
  /** Which statement's rows fill the template's {{#each rows}}. */
  rowsFrom: number;
  template: string;
}

export interface BaselineSpec {
  databaseUrl: string;
  secret: string;
  cookieName: string;
  poolSize: number;
  pages: BaselinePage[];
}

/** The session id in a signed cookie value, or null when the signature does not match. */
export function unsign(value: string, secret: string): string | null {
  if (!value.startsWith('s:')) return null;
  const dot = value.lastIndexOf('.');
  const sid = value.slice(2, dot);
  const expected = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  const given = Buffer.from(value.slice(dot + 1));
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? sid : null;
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

function main(): void {
  const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as BaselineSpec;
  const pool = new pg.Pool({ connectionString: spec.databaseUrl, max: spec.poolSize });
  const pages = new Map(
    spec.pages.map((p) => [`${p.path} ${p.sid}`, { ...p, render: Handlebars.compile(p.template) }] as const),
  );
  const server = createServer((req, res) => {
    if (req.url === '/healthz') return void res.end('ok');
    const cookie = cookieValue(req.headers.cookie, spec.cookieName);
    const sid = cookie ? unsign(cookie, spec.secret) : null;
    const page = sid ? pages.get(`${req.url} ${sid}`) : undefined;
    if (!page) {
      res.statusCode = sid ? 404 : 302;
      return void res.end();
    }
    void (async () => {
      let rows: unknown[] = [];
      for (const [i, s] of page.statements.entries()) {
        const result = await pool.query(s.sql, s.params);
        if (i === page.rowsFrom) rows = result.rows;
      }
      const html = page.render({ rows });
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(html);
    })().catch((e: unknown) => {
      res.statusCode = 500;
      res.end(String(e));
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close();
    void pool.end();
  });
}

if (process.argv[1]?.endsWith('baseline.js')) main();

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';

/**
 * The OpenAPI document at /api/docs.json is generated from the code: it must be a well-formed 3.1
 * document, hold every route the app serves under /api/v1 (a route added without it fails here), and
 * give each resource an example request and answer. /api/docs shows it with swagger-ui from this server.
 */
let t: TestApp;
interface Operation {
  operationId?: string;
  tags?: string[];
  responses: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
}
interface Schema {
  required?: string[];
  properties?: Record<string, { example?: unknown; enum?: unknown[] }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  security: unknown;
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
}
let doc: OpenApiDocument;
beforeAll(async () => {
  t = await startApp();
  const res = await fetch(`${t.url}/api/docs.json`);
  if (res.status !== 200) throw new Error(`/api/docs.json answered ${res.status}`);
  doc = (await res.json()) as OpenApiDocument;
});
afterAll(() => t.close());

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every route Express serves under /api/v1, as `METHOD /path/{param}`. */
function servedApiRoutes(): string[] {
  const express = t.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return express.router.stack.flatMap(({ route }) =>
    route && route.path.startsWith('/api/v1')
      ? Object.keys(route.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
      : [],
  );
}

function documentedRoutes(): string[] {
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    METHODS.filter((m) => m in item).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

/** Every `$ref` in `node`. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  return out;
}

describe('/api/docs.json', () => {
  it('is an OpenAPI 3.1 document of the bearer-token API', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Kehu API', version: '1' });
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque',
    });
    expect(doc.security).toEqual([{ bearer: [] }]);
    // Pages are not part of it.
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/api/v1/'))).toBe(true);
  });

  it('is well formed: unique operation ids, an answer per operation, its path parameters, every $ref resolving', () => {
    const ids: string[] = [];
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const where = `${method} ${path}`;
        if (!op.operationId) problems.push(`${where}: no operationId`);
        else ids.push(op.operationId);
        if (!op.tags?.length) problems.push(`${where}: no tag`);
        if (!Object.keys(op.responses).some((code) => /^2\d\d$/.test(code)))
          problems.push(`${where}: no 2xx answer`);
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        if (declared.sort().join() !== inPath.sort().join()) problems.push(`${where}: path parameters`);
      }
    }
    for (const ref of refs(doc))
      if (!doc.components.schemas[ref.replace('#/components/schemas/', '')])
        problems.push(`${ref} does not resolve`);
    expect(problems).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes the errors each operation may answer, with the error body', () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths))
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const expected = ['401', '403', '429'];
        if (path.includes('{')) expected.push('404');
        if (method === 'post' || method === 'patch') expected.push('422');
        for (const code of expected) if (!op.responses[code]) missing.push(`${method} ${path} ${code}`);
      }
    expect(missing).toEqual([]);
    const body = doc.components.schemas.ApiErrorBody;
    expect(Object.keys(body.properties ?? {})).toEqual(
      expect.arrayContaining(['statusCode', 'error', 'message', 'details', 'current', 'duplicates']),
    );
  });

  it('holds every route the app serves under /api/v1', () => {
    const served = servedApiRoutes();
    expect(served.length).toBeGreaterThanOrEqual(15);
    const documented = new Set(documentedRoutes());
    const missing = served.filter((route) => !documented.has(route));
    // Routes under /api/v1 that the OpenAPI document lacks.
    expect(missing).toEqual([]);
    // The pipeline's deals, with their stage changes.
    expect(served).toEqual(
      expect.arrayContaining([
        'GET /api/v1/opportunities',
        'POST /api/v1/opportunities',
        'GET /api/v1/opportunities/{id}',
        'PATCH /api/v1/opportunities/{id}',
        'POST /api/v1/opportunities/{id}/stage',
        'POST /api/v1/opportunities/{id}/reopen',
      ]),
    );
  });

  it('gives each resource an example request and answer', () => {
    const schemas = doc.components.schemas;
    const example = (name: string, field: string) => schemas[name]?.properties?.[field]?.example;
    // Requests: the pages' DTOs, described from their own validation rules.
    expect(example('CustomerDto', 'name')).toBe('北京华信科技有限公司');
    expect(schemas.CustomerDto.required).toContain('name');
    expect(schemas.CustomerDto.properties?.tier.enum).toEqual(['A', 'B', 'C']);
    expect(example('ContactApiDto', 'customerId')).toBe(1207);
    expect(example('FollowUpDto', 'happenedAt')).toBe('2026-11-28T14:30:00+08:00');
    // Answers.
    expect(example('CustomerResource', 'name')).toBeTruthy();
    expect(example('ContactResource', 'mobile')).toBeTruthy();
    expect(example('FollowUpResource', 'method')).toBe('visit');
    expect(example('OpportunityDto', 'amount')).toBe('480000.00');
    expect(schemas.StageChangeDto.properties?.stage.enum).toContain('lost');
    expect(example('OpportunityResource', 'stage')).toBe('proposal');
    const list = doc.paths['/api/v1/customers'].get!;
    expect(list.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['q', 'owner', 'tier', 'status', 'cursor', 'limit']),
    );
    expect(list.parameters!.map((p) => p.name)).not.toContain('after');
  });
});

describe('/api/docs', () => {
  it('is a page that loads swagger-ui from this server under the strict CSP, with no inline script', async () => {
    const res = await fetch(`${t.url}/api/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(2);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\/(api\/docs\/assets|assets\/js)\//);
      expect(body.trim()).toBe('');
    }
    for (const asset of [
      '/api/docs/assets/swagger-ui-bundle.js',
      '/api/docs/assets/swagger-ui.css',
      '/assets/js/api-docs.js',
    ])
      expect(`${asset} ${(await fetch(t.url + asset)).status}`).toBe(`${asset} 200`);
  });
});

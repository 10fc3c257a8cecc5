import { OpenAPIClientAxios } from 'openapi-client-axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { makeToken } from '../helpers/api.js';
import { createUser, type UserRow } from '../helpers/factories.js';

/**
 * An integration as a customer's developer writes one: a client generated from /api/docs.json by an
 * OpenAPI client generator (openapi-client-axios makes one method per operation), nothing written by
 * hand but the token and the values.
 */
let t: TestApp;
let rep: UserRow;
let token: string;

beforeAll(async () => {
  t = await startApp();
  rep = await createUser(t.db, { role: 'sales', name: 'Client Rep' });
  token = await makeToken(t, rep);
});
afterAll(() => t.close());

async function generatedClient() {
  const definition = await (await fetch(`${t.url}/api/docs.json`)).json();
  const api = new OpenAPIClientAxios({
    definition,
    axiosConfigDefaults: { baseURL: t.url, headers: { authorization: `Bearer ${token}` } },
  });
  return { client: await api.init(), operations: api.getOperations().map((o) => o.operationId) };
}

describe('a client generated from the OpenAPI document', () => {
  it('creates a customer and finds it in the list, page by page', async () => {
    const { client, operations } = await generatedClient();
    const create = operations.find((o) => /^CustomersApiController_create/.test(o ?? ''));
    const list = operations.find((o) => /^CustomersApiController_list/.test(o ?? ''));
    expect(create && list).toBeTruthy();

    const made = await client[create!](undefined, {
      name: '生成客户端科技有限公司',
      kind: 'company',
      tier: 'A',
    });
    expect(made.status).toBe(201);
    expect(made.data).toMatchObject({
      name: '生成客户端科技有限公司',
      tier: 'A',
      ownerId: rep.id,
      version: 1,
    });
    const stored = await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [made.data.id]);
    expect(stored.rows[0].owner_id).toBe(rep.id);

    for (let i = 0; i < 3; i++)
      expect((await client[create!](undefined, { name: `生成客户端 ${i} 号`, kind: 'company' })).status).toBe(
        201,
      );
    const first = await client[list!]({ limit: 2 });
    expect(first.status).toBe(200);
    expect(first.data.data).toHaveLength(2);
    expect(first.data.next).toEqual(expect.any(String));
    const second = await client[list!]({ limit: 2, cursor: first.data.next });
    const names = [...first.data.data, ...second.data.data].map((c: { name: string }) => c.name);
    expect(new Set(names).size).toBe(4);
    expect(names).toContain('生成客户端科技有限公司');
    expect((await client[list!]({ q: '生成客户端科技' })).data.data.map((c: { id: number }) => c.id)).toEqual(
      [made.data.id],
    );
  });
});

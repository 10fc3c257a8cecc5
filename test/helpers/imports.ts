import type pg from 'pg';
import { expect } from 'vitest';
import type { Client } from './client.js';
import { eventually } from './eventually.js';

/** Uploads a file, accepts the proposed columns, and waits for the check to finish. */
export async function uploadAndCheck(db: pg.Pool, c: Client, name: string, content: Buffer): Promise<string> {
  await c.get('/customers/import');
  const uploaded = await c.upload('/customers/import', { name, content });
  expect(uploaded.status).toBe(303);
  const id = uploaded.location!.split('/').pop()!;
  const mapping = await c.get(`/customers/import/${id}`);
  const chosen = [
    ...mapping.text.matchAll(/name="mapping\[(\d+)\]"[\s\S]*?<option value="([^"]*)" selected>/g),
  ];
  const fields = Object.fromEntries(chosen.map((m) => [`mapping[${m[1]}]`, m[2]]));
  expect((await c.post(`/customers/import/${id}/mapping`, fields)).status).toBe(303);
  await eventually(async () => {
    const { rows } = await db.query('SELECT status FROM customer_import WHERE id = $1', [id]);
    expect(rows[0].status).toBe('checked');
  });
  return id;
}

/** Starts a checked import (duplicates skipped unless `fields` say otherwise) and waits for it to end. */
export async function runAndWait(
  db: pg.Pool,
  c: Client,
  id: string,
  fields: Record<string, string> = {},
): Promise<string> {
  await c.get(`/customers/import/${id}`);
  const ran = await c.post(`/customers/import/${id}/run`, { duplicates: 'skip', ...fields });
  expect(ran.status).toBe(303);
  return eventually(async () => {
    const { rows } = await db.query('SELECT status FROM customer_import WHERE id = $1', [id]);
    expect(['done', 'failed']).toContain(rows[0].status);
    return rows[0].status as string;
  });
}

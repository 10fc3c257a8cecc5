import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedService } from '../../src/seed/seed.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { type Statement, StatementRecorder } from '../helpers/statements.js';

/**
 * The 360° page's round trips (README, How it scales), two like a list's: the session with the bell's
 * unread count, and one statement for the customer, its contacts and its whole timeline, in which
 * every module's entries (ownership changes from the audit log, follow-ups, deals, quotes, contracts,
 * payments, tickets, rules' firings) are read beside it.
 */
let t: TestApp;
const recorder = new StatementRecorder();
let customerId: number;
let ownerEmail: string;
const ids: Record<'opportunity' | 'ticket' | 'contract', number[]> = {
  opportunity: [],
  ticket: [],
  contract: [],
};

beforeAll(async () => {
  t = await startApp();
  await t.app.get(SeedService).seedDemoOnce();
  await t.db.query(`UPDATE app_user SET locale = 'en'`);
  // The demo customer whose timeline has the most kinds of entries: a contract with payments,
  // deals and tickets.
  const { rows } = await t.db.query<{ id: number; email: string }>(
    `SELECT c.id, u.email FROM customer c JOIN app_user u ON u.id = c.owner_id
      WHERE c.deleted_at IS NULL
        AND EXISTS (SELECT 1 FROM contract k JOIN payment p ON p.contract_id = k.id WHERE k.customer_id = c.id)
        AND EXISTS (SELECT 1 FROM opportunity o WHERE o.customer_id = c.id)
        AND EXISTS (SELECT 1 FROM ticket tk WHERE tk.customer_id = c.id)
      ORDER BY c.id LIMIT 1`,
  );
  if (rows.length !== 1)
    throw new Error('the demo company has no customer with a paid contract, deals and tickets');
  customerId = rows[0].id;
  ownerEmail = rows[0].email;
  // A follow-up naming a contact, and an assignment in the audit log: the timeline's other sources.
  const contact = await t.db.query<{ id: number }>(
    `INSERT INTO contact (customer_id, name, version) VALUES ($1, '柯经理', 1) RETURNING id`,
    [customerId],
  );
  await t.db.query(
    `INSERT INTO follow_up (customer_id, contact_id, author_id, method, happened_at, summary, version)
     SELECT $1, $2, owner_id, 'visit', now() - interval '1 hour', 'Walked through the renewal', 1
       FROM customer WHERE id = $1`,
    [customerId, contact.rows[0].id],
  );
  await t.db.query(
    `INSERT INTO audit_entry (actor_id, action, entity, entity_id, diff)
     SELECT owner_id, 'assign', 'customer', $1::int::text, json_build_object('ownerId', json_build_object('to', owner_id))
       FROM customer WHERE id = $1`,
    [customerId],
  );
  for (const table of ['opportunity', 'ticket', 'contract'] as const)
    ids[table] = (
      await t.db.query<{ id: number }>(
        `SELECT id FROM ${table} WHERE customer_id = $1 AND deleted_at IS NULL ORDER BY id`,
        [customerId],
      )
    ).rows.map((r) => r.id);
  recorder.install();
}, 180_000);

afterAll(async () => {
  recorder.uninstall();
  await t.close();
});

async function page(email: string): Promise<{ text: string; html: string; statements: Statement[] }> {
  const c = new Client(t.url);
  await c.login(email);
  await c.get(`/customers/${customerId}`); // prepared statements and reference data in place
  const { result, statements } = await recorder.during(() => c.get(`/customers/${customerId}`));
  expect(result.status).toBe(200);
  return { text: visibleText(result.text), html: result.text, statements };
}

describe('the 360° page', () => {
  it('shows every kind of entry, read in two statements by an admin', async () => {
    const { text, html, statements } = await page('admin@demo.kehu');
    expect(text).toContain('Walked through the renewal');
    expect(text).toContain('柯经理');
    expect(text).toContain('Owner assigned');
    expect(text).toContain('Payment received');
    for (const id of ids.opportunity) expect(html).toContain(`href="/opportunities/${id}"`);
    for (const id of ids.ticket) expect(html).toContain(`href="/tickets/${id}"`);
    for (const id of ids.contract) expect(html).toContain(`href="/contracts/${id}"`);

    expect(statements).toHaveLength(2);
    const timeline = statements.filter((s) => /\bFROM follow_up\b/.test(s.text));
    expect(timeline).toHaveLength(1);
    expect(timeline[0].text).toMatch(/FROM customer c WHERE c\.id = \$1 AND c\.deleted_at IS NULL/);
    for (const table of [
      'audit_entry',
      'opportunity',
      'quote',
      'contract',
      'payment',
      'ticket',
      'rule_firing',
    ])
      expect(timeline[0].text).toMatch(new RegExp(`\\b(FROM|JOIN) ${table}\\b`));
  });

  it('costs the customer’s own rep no more than one more statement (whether they approve a contract)', async () => {
    const { text, statements } = await page(ownerEmail);
    expect(text).toContain('Walked through the renewal');
    expect(statements.length).toBeLessThanOrEqual(3);
  });
});

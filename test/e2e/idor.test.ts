import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, startApp, type TestApp } from '../helpers/app.js';
import type { ApiClient } from '../helpers/api.js';
import { visibleText, type Client } from '../helpers/client.js';
import { recordsOf, World, type Records } from '../helpers/authz.js';

/**
 * A record outside one's scope answers 404 and shows nothing of itself, whatever route names it:
 * the East rep asks for the records of another East rep and of a West rep; the East manager for
 * West's; the East service agent for West's tickets. Also through search, pickers, exports,
 * dashboard drill-downs, files, guessed portal and survey links, and lists filtered by a foreign id.
 */

let t: TestApp;
let w: World;
/** Another rep of the rep's own team, and a rep of team West: their records. */
let mate: Records;
let west: Records;
/** The East rep's own records, for forms that name a second record (a merge, a relink). */
let own: Records;

beforeAll(async () => {
  t = await startApp({ apiRatePerMinute: 100_000 });
  w = await World.make(t);
  [mate, west] = await Promise.all([
    recordsOf(w, w.users.rep2, w.east, `同组机密${process.pid}`),
    recordsOf(w, w.users.westRep, w.west, `西区机密${process.pid}`),
  ]);
  // After the others': a merge locks its two customers in id order, and the rep's own customer (which
  // they may see but not merge) must come second, so that the other's answers first (404, not 403).
  own = await recordsOf(w, w.users.sales, w.east, `自己的${process.pid}`);
}, 180_000);
afterAll(() => t?.close());

/** A page or JSON answer that names none of `r`'s records (a search box may echo the bare secret). */
function expectNothingOf(r: Records, text: string, where: string): void {
  for (const name of r.names) expect(text, `${where} shows "${name}"`).not.toContain(name);
}

const NO_SUCH = 999_999_999;

/** `fn` over `items`, a few at a time (the app's database pool is small), answers in order. */
async function few<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 6) out.push(...(await Promise.all(items.slice(i, i + 6).map(fn))));
  return out;
}

type Fields = Record<string, string>;
interface Probe {
  route: string;
  path: (r: Records) => string;
  body?: (r: Records) => Fields | Record<string, unknown>;
  file?: boolean;
}

const PDF = Buffer.from(
  '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);
const v1 = { version: '1' };

/** Every page route that takes a record's id, with a form a permitted user would send. */
const PAGE_PROBES: Probe[] = [
  { route: 'GET /customers/:id', path: (r) => `/customers/${r.customer}` },
  { route: 'GET /customers/:id/edit', path: (r) => `/customers/${r.customer}/edit` },
  {
    route: 'POST /customers/:id/edit',
    path: (r) => `/customers/${r.customer}/edit`,
    body: () => customerForm({ name: '改名有限公司', ...v1 }),
  },
  { route: 'POST /customers/:id/claim', path: (r) => `/customers/${r.customer}/claim` },
  { route: 'POST /customers/:id/release', path: (r) => `/customers/${r.customer}/release` },
  { route: 'POST /customers/:id/delete', path: (r) => `/customers/${r.customer}/delete` },
  { route: 'POST /customers/:id/restore', path: (r) => `/customers/${r.customer}/restore` },
  { route: 'GET /customers/:id/contacts/new', path: (r) => `/customers/${r.customer}/contacts/new` },
  {
    route: 'POST /customers/:id/contacts/new',
    path: (r) => `/customers/${r.customer}/contacts/new`,
    body: () => ({ name: '新人' }),
  },
  {
    route: 'GET /customers/:id/contacts/:contactId/edit',
    path: (r) => `/customers/${r.customer}/contacts/${r.contact}/edit`,
  },
  {
    route: 'POST /customers/:id/contacts/:contactId/edit',
    path: (r) => `/customers/${r.customer}/contacts/${r.contact}/edit`,
    body: () => ({ name: '新人', ...v1 }),
  },
  {
    route: 'POST /customers/:id/contacts/:contactId/delete',
    path: (r) => `/customers/${r.customer}/contacts/${r.contact}/delete`,
  },
  { route: 'GET /customers/:id/merge', path: (r) => `/customers/${r.customer}/merge` },
  {
    route: 'POST /customers/:id/merge',
    path: (r) => `/customers/${r.customer}/merge`,
    body: () => ({ otherId: String(own.customer) }),
  },
  { route: 'GET /customers/import/:id', path: (r) => `/customers/import/${r.importId}` },
  { route: 'POST /customers/import/:id/mapping', path: (r) => `/customers/import/${r.importId}/mapping` },
  { route: 'POST /customers/import/:id/header', path: (r) => `/customers/import/${r.importId}/header` },
  { route: 'POST /customers/import/:id/run', path: (r) => `/customers/import/${r.importId}/run` },
  { route: 'POST /customers/import/:id/discard', path: (r) => `/customers/import/${r.importId}/discard` },
  {
    route: 'GET /customers/import/:id/rejected.xlsx',
    path: (r) => `/customers/import/${r.importId}/rejected.xlsx`,
  },
  { route: 'GET /follow-ups/:id', path: (r) => `/follow-ups/${r.followUp}` },
  { route: 'GET /follow-ups/:id/edit', path: (r) => `/follow-ups/${r.followUp}/edit` },
  {
    route: 'POST /follow-ups/:id/edit',
    path: (r) => `/follow-ups/${r.followUp}/edit`,
    body: () => ({ method: 'visit', happenedAt: '2026-01-05T10:00', summary: '改', ...v1 }),
  },
  { route: 'POST /follow-ups/:id/delete', path: (r) => `/follow-ups/${r.followUp}/delete` },
  { route: 'GET /opportunities/:id', path: (r) => `/opportunities/${r.deal}` },
  { route: 'GET /opportunities/:id/edit', path: (r) => `/opportunities/${r.deal}/edit` },
  {
    route: 'POST /opportunities/:id/edit',
    path: (r) => `/opportunities/${r.deal}/edit`,
    body: () => ({ title: '改', amount: '1.00', expectedCloseDate: '2099-03-31', ...v1 }),
  },
  {
    route: 'POST /opportunities/:id/stage',
    path: (r) => `/opportunities/${r.deal}/stage`,
    body: () => ({ stage: 'negotiation', ...v1 }),
  },
  { route: 'GET /opportunities/:id/lost', path: (r) => `/opportunities/${r.deal}/lost` },
  {
    route: 'POST /opportunities/:id/lost',
    path: (r) => `/opportunities/${r.deal}/lost`,
    body: () => ({ lostReason: 'price', ...v1 }),
  },
  { route: 'POST /opportunities/:id/reopen', path: (r) => `/opportunities/${r.deal}/reopen`, body: () => v1 },
  { route: 'GET /opportunities/:id/quotes/new', path: (r) => `/opportunities/${r.deal}/quotes/new` },
  {
    route: 'POST /opportunities/:id/quotes/new',
    path: (r) => `/opportunities/${r.deal}/quotes/new`,
    body: () => ({
      taxRate: '13',
      validUntil: '2099-12-31',
      'lines[0][itemName]': '服务器',
      'lines[0][quantity]': '1',
      'lines[0][unitPrice]': '1.00',
    }),
  },
  { route: 'GET /quotes/:id', path: (r) => `/quotes/${r.quote}` },
  { route: 'GET /quotes/:id/print', path: (r) => `/quotes/${r.quote}/print` },
  { route: 'GET /quotes/:id/edit', path: (r) => `/quotes/${r.quote}/edit` },
  {
    route: 'POST /quotes/:id/edit',
    path: (r) => `/quotes/${r.quote}/edit`,
    body: () => ({ taxRate: '13', validUntil: '2099-12-31', ...v1 }),
  },
  ...['submit', 'send', 'accept', 'expire', 'delete'].map((a): Probe => ({
    route: `POST /quotes/:id/${a}`,
    path: (r) => `/quotes/${r.quote}/${a}`,
    body: () => v1,
  })),
  { route: 'GET /contracts/:id', path: (r) => `/contracts/${r.contract}` },
  { route: 'GET /contracts/:id/print', path: (r) => `/contracts/${r.contract}/print` },
  { route: 'GET /contracts/:id/edit', path: (r) => `/contracts/${r.contract}/edit` },
  {
    route: 'POST /contracts/:id/edit',
    path: (r) => `/contracts/${r.contract}/edit`,
    body: () => ({
      title: '改',
      'lines[0][item]': '服务器',
      'lines[0][quantity]': '1',
      'lines[0][unitPrice]': '1',
      ...v1,
    }),
  },
  ...['delete', 'submit', 'complete'].map((a): Probe => ({
    route: `POST /contracts/:id/${a}`,
    path: (r) => `/contracts/${r.contract}/${a}`,
    body: () => v1,
  })),
  {
    route: 'POST /contracts/:id/sign',
    path: (r) => `/contracts/${r.contract}/sign`,
    body: () => ({ ...v1, signedOn: '2026-12-01' }),
    file: true,
  },
  {
    route: 'POST /contracts/:id/attachments',
    path: (r) => `/contracts/${r.contract}/attachments`,
    file: true,
  },
  {
    route: 'POST /contracts/:id/terminate',
    path: (r) => `/contracts/${r.signed}/terminate`,
    body: () => ({ ...v1, reason: '终止' }),
  },
  { route: 'GET /contracts/:id/plan', path: (r) => `/contracts/${r.signed}/plan` },
  {
    route: 'POST /contracts/:id/plan',
    path: (r) => `/contracts/${r.signed}/plan`,
    body: () => ({
      version: '0',
      'installments[0][dueOn]': '2027-01-31',
      'installments[0][amount]': '1000.00',
    }),
  },
  {
    route: 'POST /contracts/:id/payments',
    path: (r) => `/contracts/${r.signed}/payments`,
    body: () => ({ receivedOn: '2026-11-01', amount: '1.00', method: 'bank_transfer' }),
  },
  {
    route: 'POST /contracts/:id/payments/:paymentId/reverse',
    path: (r) => `/contracts/${r.signed}/payments/${r.payment}/reverse`,
    body: () => ({ reversalReason: '错' }),
  },
  {
    route: 'POST /contracts/:id/invoices/:invoiceId/reverse',
    path: (r) => `/contracts/${r.signed}/invoices/${r.invoice}/reverse`,
    body: () => ({ reversalReason: '错' }),
  },
  {
    route: 'POST /contracts/:id/invoices',
    path: (r) => `/contracts/${r.signed}/invoices`,
    body: () => ({
      number: 'FP1',
      issuedOn: '2026-11-01',
      amount: '1.00',
      type: 'vat_general',
      taxRate: '13',
    }),
  },
  {
    route: 'POST /approvals/:roundId/decide',
    path: (r) => `/approvals/${r.round}/decide`,
    body: () => ({ decision: 'approve', comment: '' }),
  },
  { route: 'GET /tickets/:id', path: (r) => `/tickets/${r.ticket.id}` },
  ...(
    [
      ['confirm-requester', {}],
      ['relink', { customerId: 'OWN' }],
      ['reply', { body: '您好' }],
      ['change', { priority: 'high' }],
      ['transfer', { teamId: 'EAST', reason: '转' }],
      ['merge', { intoNumber: 'OWN' }],
      ['resolve', {}],
      ['reopen', {}],
      ['delete', {}],
    ] as const
  ).map(([a, fields]): Probe => ({
    route: `POST /tickets/:id/${a}`,
    path: (r) => `/tickets/${r.ticket.id}/${a}`,
    body: () => ({
      ...Object.fromEntries(
        Object.entries(fields).map(([k, v]) => [
          k,
          v === 'OWN'
            ? k === 'intoNumber'
              ? own.ticket.number
              : String(own.customer)
            : v === 'EAST'
              ? String(w.east)
              : v,
        ]),
      ),
      ...v1,
    }),
  })),
  { route: 'GET /attachments/:id', path: (r) => `/attachments/${r.contractFile}` },
  { route: 'POST /tasks/:id/done', path: (r) => `/tasks/${r.task}/done` },
  { route: 'POST /notifications/:id/open', path: (r) => `/notifications/${r.notification}/open` },
  { route: 'POST /account/tokens/:id/revoke', path: (r) => `/account/tokens/${r.token}/revoke` },
];

/** Every /api/v1 route that takes a record's id. */
const API_PROBES: Probe[] = [
  { route: 'GET /api/v1/customers/:id', path: (r) => `/api/v1/customers/${r.customer}` },
  {
    route: 'PATCH /api/v1/customers/:id',
    path: (r) => `/api/v1/customers/${r.customer}`,
    body: () => ({ notes: 'x', version: 1 }),
  },
  { route: 'DELETE /api/v1/customers/:id', path: (r) => `/api/v1/customers/${r.customer}` },
  { route: 'GET /api/v1/contacts/:id', path: (r) => `/api/v1/contacts/${r.contact}` },
  {
    route: 'PATCH /api/v1/contacts/:id',
    path: (r) => `/api/v1/contacts/${r.contact}`,
    body: () => ({ title: 'x', version: 1 }),
  },
  { route: 'DELETE /api/v1/contacts/:id', path: (r) => `/api/v1/contacts/${r.contact}` },
  { route: 'GET /api/v1/follow-ups/:id', path: (r) => `/api/v1/follow-ups/${r.followUp}` },
  {
    route: 'PATCH /api/v1/follow-ups/:id',
    path: (r) => `/api/v1/follow-ups/${r.followUp}`,
    body: () => ({ summary: 'x', version: 1 }),
  },
  { route: 'DELETE /api/v1/follow-ups/:id', path: (r) => `/api/v1/follow-ups/${r.followUp}` },
  { route: 'GET /api/v1/opportunities/:id', path: (r) => `/api/v1/opportunities/${r.deal}` },
  {
    route: 'PATCH /api/v1/opportunities/:id',
    path: (r) => `/api/v1/opportunities/${r.deal}`,
    body: () => ({ title: 'x', version: 1 }),
  },
  {
    route: 'POST /api/v1/opportunities/:id/stage',
    path: (r) => `/api/v1/opportunities/${r.deal}/stage`,
    body: () => ({ stage: 'negotiation', version: 1 }),
  },
  {
    route: 'POST /api/v1/opportunities/:id/reopen',
    path: (r) => `/api/v1/opportunities/${r.deal}/reopen`,
    body: () => ({ version: 1 }),
  },
  { route: 'GET /api/v1/quotes/:id', path: (r) => `/api/v1/quotes/${r.quote}` },
  {
    route: 'PATCH /api/v1/quotes/:id',
    path: (r) => `/api/v1/quotes/${r.quote}`,
    body: () => ({
      taxRate: '13',
      validUntil: '2099-12-31',
      lines: [{ itemName: 'x', quantity: '1', unitPrice: '1.00' }],
      version: 1,
    }),
  },
  { route: 'DELETE /api/v1/quotes/:id', path: (r) => `/api/v1/quotes/${r.quote}` },
  {
    route: 'POST /api/v1/quotes/:id/submit',
    path: (r) => `/api/v1/quotes/${r.quote}/submit`,
    body: () => ({ version: 1 }),
  },
  { route: 'GET /api/v1/contracts/:id', path: (r) => `/api/v1/contracts/${r.contract}` },
  {
    route: 'PATCH /api/v1/contracts/:id',
    path: (r) => `/api/v1/contracts/${r.contract}`,
    body: () => ({ title: 'x', version: 1 }),
  },
  { route: 'DELETE /api/v1/contracts/:id', path: (r) => `/api/v1/contracts/${r.contract}` },
  {
    route: 'POST /api/v1/contracts/:id/submit',
    path: (r) => `/api/v1/contracts/${r.contract}/submit`,
    body: () => ({ version: 1 }),
  },
  {
    route: 'POST /api/v1/contracts/:id/approve',
    path: (r) => `/api/v1/contracts/${r.pending}/approve`,
    body: () => ({}),
  },
  {
    route: 'POST /api/v1/contracts/:id/reject',
    path: (r) => `/api/v1/contracts/${r.pending}/reject`,
    body: () => ({ comment: 'x' }),
  },
  { route: 'GET /api/v1/contracts/:id/plan', path: (r) => `/api/v1/contracts/${r.signed}/plan` },
  {
    route: 'PUT /api/v1/contracts/:id/plan',
    path: (r) => `/api/v1/contracts/${r.signed}/plan`,
    body: () => ({ version: 0, installments: [{ dueOn: '2027-01-31', amount: '1000.00' }] }),
  },
  { route: 'GET /api/v1/contracts/:id/payments', path: (r) => `/api/v1/contracts/${r.signed}/payments` },
  {
    route: 'POST /api/v1/contracts/:id/payments',
    path: (r) => `/api/v1/contracts/${r.signed}/payments`,
    body: () => ({ receivedOn: '2026-11-01', amount: '1.00', method: 'bank_transfer' }),
  },
  { route: 'GET /api/v1/contracts/:id/invoices', path: (r) => `/api/v1/contracts/${r.signed}/invoices` },
  {
    route: 'POST /api/v1/contracts/:id/invoices',
    path: (r) => `/api/v1/contracts/${r.signed}/invoices`,
    body: () => ({
      number: 'FP2',
      issuedOn: '2026-11-01',
      amount: '1.00',
      type: 'vat_general',
      taxRate: '13',
    }),
  },
  { route: 'GET /api/v1/tickets/:id', path: (r) => `/api/v1/tickets/${r.ticket.id}` },
  {
    route: 'PATCH /api/v1/tickets/:id',
    path: (r) => `/api/v1/tickets/${r.ticket.id}`,
    body: () => ({ priority: 'high', version: 1 }),
  },
  { route: 'GET /api/v1/tickets/:id/messages', path: (r) => `/api/v1/tickets/${r.ticket.id}/messages` },
  {
    route: 'POST /api/v1/tickets/:id/messages',
    path: (r) => `/api/v1/tickets/${r.ticket.id}/messages`,
    body: () => ({ body: 'x', version: 1 }),
  },
  {
    route: 'POST /api/v1/tickets/:id/resolve',
    path: (r) => `/api/v1/tickets/${r.ticket.id}/resolve`,
    body: () => ({ version: 1 }),
  },
  {
    route: 'POST /api/v1/tickets/:id/reopen',
    path: (r) => `/api/v1/tickets/${r.ticket.id}/reopen`,
    body: () => ({ version: 1 }),
  },
];

async function ask(page: Client, api: ApiClient, probe: Probe, r: Records) {
  const [method, template] = probe.route.split(' ');
  const path = probe.path(r);
  const body = probe.body?.(r);
  if (template.startsWith('/api/v1/')) {
    const reply = await api.send(
      method,
      path,
      body === undefined
        ? method === 'GET' || method === 'DELETE'
          ? undefined
          : '{}'
        : JSON.stringify(body),
    );
    return {
      status: reply.status,
      text: typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body),
    };
  }
  if (method === 'GET') return page.get(path);
  if (probe.file)
    return page.upload(
      path,
      { name: 'scan.pdf', content: PDF, type: 'application/pdf' },
      (body ?? {}) as Fields,
    );
  return page.post(path, (body ?? {}) as Fields);
}

/** What the database holds of `r`, to show a refused request changed nothing. */
async function stateOf(r: Records) {
  const q = async (sql: string, id: number) => (await t.db.query(sql, [id])).rows[0] as unknown;
  return {
    customer: await q('SELECT owner_id, name, deleted_at, version FROM customer WHERE id = $1', r.customer),
    contact: await q('SELECT name, deleted_at, version FROM contact WHERE id = $1', r.contact),
    deal: await q('SELECT stage, title, version FROM opportunity WHERE id = $1', r.deal),
    quote: await q('SELECT status, version FROM quote WHERE id = $1', r.quote),
    contract: await q('SELECT status, title, version FROM contract WHERE id = $1', r.contract),
    signed: await q('SELECT status, version FROM contract WHERE id = $1', r.signed),
    pending: await q('SELECT status, version FROM contract WHERE id = $1', r.pending),
    payments: await q(
      'SELECT count(*)::int AS n, sum(amount) AS total FROM payment WHERE contract_id = $1',
      r.signed,
    ),
    followUp: await q('SELECT summary, deleted_at, version FROM follow_up WHERE id = $1', r.followUp),
    ticket: await q(
      'SELECT status, priority, customer_id, team_id, assignee_id, version FROM ticket WHERE id = $1',
      r.ticket.id,
    ),
    messages: await q('SELECT count(*)::int AS n FROM ticket_message WHERE ticket_id = $1', r.ticket.id),
    task: await q('SELECT status, version FROM task WHERE id = $1', r.task),
    notification: await q('SELECT read_at FROM notification WHERE id = $1', r.notification),
    token: await q('SELECT revoked_at FROM api_token WHERE id = $1', r.token),
    files: await q(
      `SELECT count(*)::int AS n FROM attachment WHERE owner_kind = 'contract' AND owner_id = $1`,
      r.contract,
    ),
  };
}

describe('a record id outside one’s scope', () => {
  const cases = [
    { asker: 'sales', whose: () => mate, label: 'the rep, with another East rep’s ids' },
    { asker: 'sales', whose: () => west, label: 'the rep, with a West rep’s ids' },
    { asker: 'manager', whose: () => west, label: 'the East manager, with West’s ids' },
  ] as const;
  for (const c of cases)
    it(`${c.label}: every id-taking route answers 404, names nothing of it and changes nothing`, async () => {
      const r = c.whose();
      const before = await stateOf(r);
      const wrong: string[] = [];
      const probes = [...PAGE_PROBES, ...API_PROBES];
      const replies = await few(probes, (p) => ask(w.pages[c.asker], w.api[c.asker], p, r));
      for (const [i, probe] of probes.entries()) {
        if (replies[i].status !== 404) wrong.push(`${probe.route} answered ${replies[i].status}`);
        expectNothingOf(r, replies[i].text, probe.route);
      }
      expect(wrong).toEqual([]);
      expect(await stateOf(r)).toEqual(before);
    }, 120_000);

  it('the East service agent, with a West ticket: 404 on every ticket route and its files', async () => {
    const before = await stateOf(west);
    const wrong: string[] = [];
    const probes = [...PAGE_PROBES, ...API_PROBES].filter((p) => p.route.includes('tickets'));
    probes.push({ route: 'GET /attachments/:id', path: (r) => `/attachments/${r.ticketFile}` });
    const replies = await few(probes, (p) => ask(w.pages.service, w.api.service, p, west));
    for (const [i, probe] of probes.entries()) {
      if (replies[i].status !== 404) wrong.push(`${probe.route} answered ${replies[i].status}`);
      expectNothingOf(west, replies[i].text, probe.route);
    }
    expect(wrong).toEqual([]);
    expect(await stateOf(west)).toEqual(before);
  });

  it('covers every page and API route that takes an id, but for the admin’s and the public ones', () => {
    const express = t.app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    };
    const withIds = new Set(
      express.router.stack.flatMap(({ route }) =>
        route && route.path.includes('/:')
          ? Object.keys(route.methods).map((m) => `${m.toUpperCase()} ${route.path}`)
          : [],
      ),
    );
    const probed = new Set([...PAGE_PROBES, ...API_PROBES].map((p) => p.route));
    // The ticket recycle bin is the admin's: anyone else is refused before any ticket is looked up.
    const elsewhere = (r: string) =>
      /^\w+ \/(admin|portal|survey|unsubscribe|password)\//.test(r) ||
      r === 'GET /dashboard/drill/:figure' ||
      r === 'POST /tickets/:id/restore';
    expect([...withIds].filter((r) => !probed.has(r) && !elsewhere(r))).toEqual([]);
  });
});

describe('searching for another’s record by its name', () => {
  it('finds nothing of it in any list, picker or API search, and a foreign id as a filter narrows to nothing', async () => {
    const q = encodeURIComponent(west.secret);
    for (const who of ['sales', 'manager'] as const) {
      const page = w.pages[who];
      const paths = [
        `/customers?q=${q}`,
        `/customers?owner=pool&q=${q}`,
        `/opportunities?view=list&q=${q}`,
        `/opportunities?q=${q}`,
        `/contracts?q=${q}`,
        `/follow-ups/new?q=${q}`,
        `/customers/${own.customer}/merge?q=${q}`,
        `/tickets/new?customerQ=${q}`,
        `/tickets/${own.ticket.id}?relinkQ=${q}`,
        `/contracts?customer=${west.customer}`,
        `/opportunities?view=list&customer=${west.customer}`,
        '/',
        '/notifications',
        '/approvals',
        '/contracts/receivables',
        '/opportunities/forecast',
        '/tickets',
        '/dashboard',
      ];
      for (const [i, reply] of (await few(paths, (path) => page.get(path))).entries()) {
        expect([200, 403, 404], `${who} ${paths[i]}`).toContain(reply.status);
        expectNothingOf(west, reply.text, `${who} ${paths[i]}`);
      }
      const api = w.api[who];
      const apiPaths = [
        `/api/v1/customers?q=${q}`,
        `/api/v1/contacts?q=${q}`,
        `/api/v1/contacts?customerId=${west.customer}`,
        `/api/v1/follow-ups?customerId=${west.customer}`,
        `/api/v1/follow-ups?authorId=${w.users.westRep.id}`,
        `/api/v1/opportunities?customerId=${west.customer}`,
        `/api/v1/opportunities?ownerId=${w.users.westRep.id}`,
        `/api/v1/quotes?opportunityId=${west.deal}`,
        `/api/v1/quotes?customerId=${west.customer}`,
        `/api/v1/contracts?customerId=${west.customer}`,
        `/api/v1/contracts?ownerId=${w.users.westRep.id}`,
        '/api/v1/tickets',
        '/api/v1/kpis',
      ];
      for (const [i, reply] of (await few(apiPaths, (path) => api.get(path))).entries()) {
        expect([200, 403, 404], `${who} ${apiPaths[i]}`).toContain(reply.status);
        expectNothingOf(west, JSON.stringify(reply.body), `${who} ${apiPaths[i]}`);
      }
    }
    // The same searches do find one's own team's records: the probes can see a leak.
    const mine = encodeURIComponent(mate.secret);
    expect((await w.pages.manager.get(`/customers?q=${mine}`)).text).toContain(mate.names[0]);
    expect(JSON.stringify((await w.api.manager.get(`/api/v1/contacts?q=${mine}`)).body)).toContain(
      mate.names[1],
    );
    // The forms that start from a customer refuse one outside the scope.
    for (const path of [
      `/follow-ups/new?customer=${west.customer}`,
      `/opportunities/new?customer=${west.customer}`,
      `/contracts/new?customer=${west.customer}`,
      `/tickets/new?customerId=${west.customer}`,
    ]) {
      const reply = await w.pages.manager.get(path);
      expect(reply.status, path).toBe(404);
      expectNothingOf(west, reply.text, path);
    }
    // Or that start from a deal or a quote: refused, or the form without it, never showing it.
    for (const path of [
      `/contracts/new?opportunity=${west.deal}`,
      `/contracts/new?quote=${west.quote}`,
      `/follow-ups/new?opportunity=${west.deal}`,
    ]) {
      const reply = await w.pages.sales.get(path);
      expect([200, 404], path).toContain(reply.status);
      expectNothingOf(west, reply.text, path);
    }
  });
});

describe('bulk actions given another’s ids', () => {
  it('a manager’s bulk release and ticket assignment skip records outside their teams', async () => {
    const before = await stateOf(west);
    const teamCustomer = await w.customer();
    const released = await w.pages.manager.post('/customers/bulk', {
      action: 'release',
      ids: [String(west.customer), String(teamCustomer)],
    });
    expect(released.status).toBe(303);
    // Of the two, only the one of the manager's team went back to the pool.
    const owner = await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [teamCustomer]);
    expect(owner.rows[0].owner_id).toBeNull();
    const assigned = await w.pages.manager.post('/tickets/assign', {
      ids: [String(west.ticket.id)],
      assigneeId: String(w.users.service.id),
    });
    expect(assigned.status).toBe(303);
    expect(await stateOf(west)).toEqual(before);
    expectNothingOf(west, visibleText((await w.pages.manager.get('/customers')).text), 'the flash');
  });
});

describe('naming another’s record in a body', () => {
  const ticketBody = (customerId: number, contactId: number | null) => ({
    channel: 'phone',
    type: 'billing',
    subject: '发票抬头错了',
    body: '客户来电',
    customerId,
    contactId,
    requester: { name: '王芳', mobile: '13812345678' },
  });
  const ticketsOf = async (customerId: number) =>
    (
      await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ticket WHERE customer_id = $1', [
        customerId,
      ])
    ).rows[0].n;

  it('an agent opens no ticket on a customer they may not see, nor with another customer’s contact', async () => {
    const before = await ticketsOf(west.customer);
    // Answered as a customer that does not exist.
    const api = await w.api.manager.post('/api/v1/tickets', ticketBody(west.customer, null));
    const none = await w.api.manager.post('/api/v1/tickets', ticketBody(NO_SUCH, null));
    expect({ status: api.status, body: api.body }).toEqual({ status: none.status, body: none.body });
    expect(api.status).toBe(422);
    expectNothingOf(west, JSON.stringify(api.body), 'the API');
    const page = await w.pages.manager.submit('/tickets/new', {
      channel: 'phone',
      receivedAt: '2026-11-30T09:00',
      customerId: String(west.customer),
      type: 'technical',
      priority: 'normal',
      subject: '打印机坏了',
      body: '客户来电',
    });
    expect(page.status).toBe(404);
    expectNothingOf(west, page.text, 'the page');
    expect(await ticketsOf(west.customer)).toBe(before);

    const mixed = await w.api.manager.post('/api/v1/tickets', ticketBody(own.customer, west.contact));
    expect(mixed.status).toBe(422);
    expectNothingOf(west, JSON.stringify(mixed.body), 'the API');
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM ticket WHERE contact_id = $1', [
      west.contact,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('an agent moves no ticket to a customer they may not see', async () => {
    const ticket = await w.ticket(own.customer);
    const page = w.pages.manager;
    await page.get(`/tickets/${ticket.id}`);
    const moved = await page.post(`/tickets/${ticket.id}/relink`, {
      customerId: String(west.customer),
      version: '1',
    });
    expect(moved.status).toBe(303);
    const { rows } = await t.db.query('SELECT customer_id, version FROM ticket WHERE id = $1', [ticket.id]);
    expect(rows[0]).toEqual({ customer_id: own.customer, version: 1 });
    // The refusal is the one a customer that does not exist gets.
    const refusal = visibleText((await page.get(`/tickets/${ticket.id}`)).text);
    await page.post(`/tickets/${ticket.id}/relink`, { customerId: String(NO_SUCH), version: '1' });
    expect(visibleText((await page.get(`/tickets/${ticket.id}`)).text)).toBe(refusal);
    expectNothingOf(west, (await page.get(`/tickets/${ticket.id}`)).text, 'the ticket page');
  });

  it('a follow-up, deal, contract, contact or quote is not made on another’s record', async () => {
    const api = w.api.sales;
    for (const [path, body] of [
      [
        '/api/v1/follow-ups',
        { customerId: west.customer, method: 'phone', happenedAt: '2026-01-05T10:00:00+08:00', summary: 'x' },
      ],
      [
        '/api/v1/opportunities',
        {
          customerId: west.customer,
          title: 'x',
          amount: '1.00',
          expectedCloseDate: '2099-01-01',
          stage: 'proposal',
        },
      ],
      [
        '/api/v1/contracts',
        { customerId: west.customer, title: 'x', lines: [{ item: 'x', quantity: '1', unitPrice: '1.00' }] },
      ],
      ['/api/v1/contacts', { customerId: west.customer, name: 'x' }],
      [
        '/api/v1/quotes',
        {
          opportunityId: west.deal,
          taxRate: '13',
          validUntil: '2099-12-31',
          lines: [{ itemName: 'x', quantity: '1', unitPrice: '1.00' }],
        },
      ],
    ] as const) {
      const reply = await api.post(path, body);
      // A new record's customer is a field of its form: one the rep may not see is that field's error,
      // as if there were none. A contact's customer and a quote's deal are the records they are added to.
      const addedTo = path === '/api/v1/contacts' || path === '/api/v1/quotes';
      expect({ status: reply.status, fields: reply.body.details }, path).toEqual(
        addedTo
          ? { status: 404, fields: [] }
          : {
              status: 422,
              fields: [{ field: 'customerId', message: 'No such customer, or not one you may work on.' }],
            },
      );
      expectNothingOf(west, JSON.stringify(reply.body), path);
    }
    const counts = await t.db.query(
      `SELECT (SELECT count(*) FROM follow_up WHERE customer_id = $1)::int AS f,
              (SELECT count(*) FROM opportunity WHERE customer_id = $1)::int AS o,
              (SELECT count(*) FROM contract WHERE customer_id = $1)::int AS c,
              (SELECT count(*) FROM contact WHERE customer_id = $1)::int AS p,
              (SELECT count(*) FROM quote WHERE opportunity_id = $2)::int AS q`,
      [west.customer, west.deal],
    );
    expect(counts.rows[0]).toEqual({ f: 1, o: 1, c: 3, p: 1, q: 1 });
  });
});

describe('exports and the dashboard', () => {
  it('a manager’s customer export holds their teams’ customers and none of West’s', async () => {
    const csv = await w.pages.manager.get('/customers/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(mate.names[0]);
    expectNothingOf(west, csv.text, 'the export');
    const searched = await w.pages.manager.get(
      `/customers/export?format=csv&q=${encodeURIComponent(west.secret)}`,
    );
    expectNothingOf(west, searched.text, 'the searched export');
  });

  it('a rep given the export right exports their own customers only', async () => {
    const admin = w.pages.admin;
    const settings = (await admin.get('/admin/settings')).text;
    const version = /action="\/admin\/settings\/customer_export"[\s\S]*?name="version" value="(\d+)"/.exec(
      settings,
    )![1];
    expect(
      (
        await admin.post('/admin/settings/customer_export', {
          admin: 'on',
          manager: 'on',
          sales: 'on',
          version,
        })
      ).status,
    ).toBe(303);
    const csv = await w.pages.sales.get('/customers/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(own.names[0]);
    expectNothingOf(mate, csv.text, 'the rep’s export');
    expectNothingOf(west, csv.text, 'the rep’s export');
  });

  it('the dashboard’s XLSX export holds nothing of another team’s (or, for a rep, another rep’s)', async () => {
    const text: Record<string, string> = {};
    for (const who of ['sales', 'manager'] as const) {
      const res = await fetch(`${t.url}/dashboard/export`, {
        headers: { cookie: `kehu.sid=${w.pages[who].sessionId}` },
      });
      expect(res.status).toBe(200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(await res.arrayBuffer());
      const cells: string[] = [];
      book.eachSheet((sheet) => sheet.eachRow((row) => cells.push(JSON.stringify(row.values))));
      text[who] = cells.join('\n');
      expectNothingOf(west, text[who], `${who}’s dashboard export`);
      // Its leaderboard names the people in scope, never West's.
      expect(text[who]).not.toContain('West Rep');
    }
    expectNothingOf(mate, text.sales, 'the rep’s dashboard export');
    expect(text.sales).not.toContain('East Rep Two');
    expect(text.manager).toContain('East Rep Two');
  });

  it('drill-downs show only what the asker may see, and a foreign team or rep is not found', async () => {
    const figures = ['new_customers', 'follow_ups', 'pipeline', 'funnel', 'won_deals', 'closed_deals'];
    const asks = figures.flatMap((figure) =>
      ['', `?customer=${west.customer}`, `?owner=${w.users.westRep.id}`, '?period=this_year'].flatMap(
        (query) => (['sales', 'manager'] as const).map((who) => ({ who, drill: `${figure}${query}` })),
      ),
    );
    const replies = await few(asks, ({ who, drill }) => w.pages[who].get(`/dashboard/drill/${drill}`));
    for (const [i, { who, drill }] of asks.entries()) {
      expect([200, 404], `${who} ${drill}`).toContain(replies[i].status);
      expectNothingOf(west, replies[i].text, `${who} ${drill}`);
      if (who === 'sales') expectNothingOf(mate, replies[i].text, `${who} ${drill}`);
    }
    for (const query of [`?team=${w.west}`, `?rep=${w.users.westRep.id}`]) {
      expect((await w.pages.manager.get(`/dashboard${query}`)).status, query).toBe(404);
      expect((await w.pages.manager.get(`/dashboard/drill/pipeline${query}`)).status, query).toBe(404);
      expect((await w.pages.manager.get(`/dashboard/export${query}`)).status, query).toBe(404);
      expect((await w.api.manager.get(`/api/v1/kpis${query}`)).status, query).toBe(404);
    }
    // The manager's drill-down does list their team's new customers: the probe can see a leak.
    const teams = await w.pages.manager.get('/dashboard/drill/new_customers');
    expect(teams.text).toContain(mate.names[0]);
  });
});

describe('files, portal and survey links', () => {
  it('a file of another’s record is not found, by id or by its ticket', async () => {
    for (const id of [west.contractFile, west.ticketFile, mate.contractFile, mate.ticketFile]) {
      const reply = await w.pages.sales.get(`/attachments/${id}`);
      expect(reply.status).toBe(404);
      expect(reply.text).not.toContain('file');
    }
    expect((await w.pages.service.get(`/attachments/${west.ticketFile}`)).status).toBe(404);
    // The owner does get them: the probe is not blind.
    expect((await w.pages.service.get(`/attachments/${own.ticketFile}`)).text).toContain('ticket file');
  });

  it('a guessed, altered or borrowed portal or survey token is not found', async () => {
    const anon = w.pages.anon;
    const token = west.ticket.token;
    const survey = west.survey;
    const altered = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    for (const bad of [altered(token), token.slice(0, 20), 'x'.repeat(token.length), survey, `${token}x`]) {
      const page = await anon.get(`/portal/tickets/${encodeURIComponent(bad)}`);
      expect(page.status, bad).toBe(404);
      expectNothingOf(west, page.text, 'the portal');
      const reply = await anon.post(`/portal/tickets/${encodeURIComponent(bad)}/reply`, { body: '你好' });
      expect(reply.status, bad).toBe(404);
    }
    for (const bad of [altered(survey), survey.slice(0, 20), token]) {
      const page = await anon.get(`/survey/${encodeURIComponent(bad)}`);
      expect(page.status, bad).toBe(404);
      expectNothingOf(west, page.text, 'the survey');
      expect((await anon.post(`/survey/${encodeURIComponent(bad)}`, { csat: '5' })).status, bad).toBe(404);
      expect((await anon.get(`/survey/${encodeURIComponent(bad)}/thanks`)).status, bad).toBe(404);
    }
    // The unsubscribe link is signed: another contact's id under this signature is refused.
    const good = w.unsubscribeToken(west.contact);
    const [, signature] = good.split('.');
    for (const bad of [
      `${own.contact}.${signature}`,
      `${west.contact}.${altered(signature)}`,
      `${west.contact}`,
    ]) {
      expect((await anon.get(`/unsubscribe/${encodeURIComponent(bad)}`)).status, bad).toBe(404);
      expect((await anon.post(`/unsubscribe/${encodeURIComponent(bad)}`)).status, bad).toBe(404);
    }
    const { rows } = await t.db.query('SELECT mail_opt_out FROM contact WHERE id = ANY($1)', [
      [own.contact, west.contact],
    ]);
    expect(rows.every((r) => r.mail_opt_out === false)).toBe(true);
    // The real links work: the probe is not blind. The portal shows the customer's conversation,
    // never the agents' internal notes nor their files.
    await t.db.query(
      `INSERT INTO ticket_message (ticket_id, author_id, author_name, from_customer, internal, body) VALUES ($1, $2, 'Agent', false, true, $3)`,
      [west.ticket.id, w.users.admin.id, '内部备注：客户信用差'],
    );
    const portal = await anon.get(`/portal/tickets/${token}`);
    expect(portal.text).toContain(west.names[5]);
    expect(portal.text).not.toContain('内部备注');
    expect((await anon.get(`/survey/${survey}`)).status).toBe(200);
  });
});

describe('webhooks', () => {
  // DESIGN.md and the README: endpoints are the admin's, company-wide, and each delivery carries the
  // record as the API gives it to the admin. Nobody else registers one, sees one or reads a payload.
  it('no one but the admin sees an endpoint, its deliveries or their payloads, by page or by token', async () => {
    const hook = await w.webhook();
    await t.db.query(
      `UPDATE webhook_event SET data = $2 WHERE id = (SELECT event_id FROM webhook_delivery WHERE id = $1)`,
      [hook.deliveryId, JSON.stringify({ id: west.customer, name: west.names[0] })],
    );
    expect((await w.pages.admin.get(`/admin/webhooks/${hook.id}`)).status).toBe(200);
    for (const who of ['manager', 'sales', 'service', 'other'] as const) {
      for (const path of ['/admin/webhooks', `/admin/webhooks/${hook.id}`]) {
        const reply = await w.pages[who].get(path);
        expect(reply.status, `${who} ${path}`).toBe(403);
        expectNothingOf(west, reply.text, `${who} ${path}`);
      }
      const made = await w.pages[who].post('/admin/webhooks', {
        url: 'https://example.com/h',
        events: 'customer.created',
      });
      expect(made.status).toBe(403);
      // A bearer token opens no page, the admin's included.
      const res = await fetch(`${t.url}/admin/webhooks/${hook.id}`, {
        headers: { authorization: `Bearer ${w.api[who].token}` },
        redirect: 'manual',
      });
      expect([303, 401]).toContain(res.status);
      expectNothingOf(west, await res.text(), `${who} token`);
    }
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM webhook_endpoint WHERE url = $1', [
      'https://example.com/h',
    ]);
    expect(rows[0].n).toBe(0);
  });
});

describe('linking one’s own record to another’s', () => {
  it('a follow-up or contract on one’s own customer cannot point at another’s deal, quote or contact', async () => {
    const api = w.api.sales;
    const attempts = [
      [
        '/api/v1/follow-ups',
        {
          customerId: own.customer,
          method: 'phone',
          happenedAt: '2026-01-05T10:00:00+08:00',
          summary: '链接',
          opportunityId: west.deal,
        },
      ],
      [
        '/api/v1/follow-ups',
        {
          customerId: own.customer,
          method: 'phone',
          happenedAt: '2026-01-05T10:00:00+08:00',
          summary: '链接',
          contactId: west.contact,
        },
      ],
      [
        '/api/v1/contracts',
        {
          customerId: own.customer,
          title: '链接',
          opportunityId: west.deal,
          lines: [{ item: 'x', quantity: '1', unitPrice: '1.00' }],
        },
      ],
      [
        '/api/v1/contracts',
        {
          customerId: own.customer,
          title: '链接',
          quoteId: west.quote,
          lines: [{ item: 'x', quantity: '1', unitPrice: '1.00' }],
        },
      ],
    ] as const;
    for (const [path, body] of attempts) {
      const reply = await api.post(path, body);
      expect([404, 422], `${path} ${JSON.stringify(body)}`).toContain(reply.status);
      expectNothingOf(west, JSON.stringify(reply.body), path);
    }
    const linked = await t.db.query(
      `SELECT (SELECT count(*) FROM follow_up WHERE opportunity_id = $1 OR contact_id = $2)::int AS f,
              (SELECT count(*) FROM contract WHERE opportunity_id = $1 OR quote_id = $3)::int AS c`,
      [west.deal, west.contact, west.quote],
    );
    expect(linked.rows[0]).toEqual({ f: 0, c: 0 });
    expectNothingOf(west, (await w.pages.sales.get(`/customers/${own.customer}`)).text, 'the 360° page');
  });
});

describe('merging with another’s record', () => {
  it('a manager neither previews nor merges their team’s customer with West’s, nor folds a ticket into West’s', async () => {
    const before = await stateOf(west);
    const teamCustomer = await w.customer({ name: `${mate.secret}合并测试有限公司` });
    const page = w.pages.manager;
    const preview = await page.get(`/customers/${teamCustomer}/merge?with=${west.customer}`);
    expect([200, 404]).toContain(preview.status);
    expectNothingOf(west, preview.text, 'the merge preview');
    const merged = await page.post(`/customers/${teamCustomer}/merge`, { otherId: String(west.customer) });
    expect([404, 422]).toContain(merged.status);
    expectNothingOf(west, merged.text, 'the merge');

    const ticket = await w.ticket(teamCustomer);
    await page.get(`/tickets/${ticket.id}`);
    await page.post(`/tickets/${ticket.id}/merge`, { intoNumber: west.ticket.number, version: '1' });
    const { rows } = await t.db.query('SELECT status, version FROM ticket WHERE id = $1', [ticket.id]);
    expect(rows[0]).toEqual({ status: 'open', version: 1 });
    expectNothingOf(west, (await page.get(`/tickets/${ticket.id}`)).text, 'the ticket after the merge');
    expect(await stateOf(west)).toEqual(before);
    const customer = await t.db.query('SELECT deleted_at, merged_into_id FROM customer WHERE id = $1', [
      teamCustomer,
    ]);
    expect(customer.rows[0]).toEqual({ deleted_at: null, merged_into_id: null });
  });
});

import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { simpleParser } from 'mailparser';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { apiAs, type ApiClient } from '../helpers/api.js';
import { Client, decodeHtml, visibleText, type Reply } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';
import { stringFieldsOfForms } from '../helpers/form-fields.js';
import { text, writeZip } from '../helpers/hostile-workbooks.js';
import { SmtpPeer } from '../helpers/smtp.js';
import {
  ESCAPED_MARKUP,
  FORMULA_PREFIXES,
  INVALID_UTF8,
  LONG,
  RAW_MARKUP,
  SHORT_SINK,
  SINK,
  SINKS,
  WITH_NUL,
} from '../fixtures/hostile-strings.js';

/**
 * Hostile text through every text field of Kehu's forms and API bodies: each value is stored exactly
 * or refused with an error beside its field in the user's language (never a server error), and shown
 * as text wherever it appears (lists, the 360° page, the printed quote and contract, the dashboard,
 * e-mails, exports). The security headers on every page an admin can reach. Uploads that are not
 * what they claim to be.
 *
 * What other files already prove, and this one does not repeat:
 * - hostile-input.test.ts: crafted workbooks (zip bombs, split strings, huge shared strings, column
 *   XFD) refused within a memory budget; the import row limit (IMPORT_MAX_ROWS).
 * - export-safety.test.ts: every export column defused against = + - @ and tab.
 * - bad-requests.test.ts: a NUL in a search or the customer form, bodies that do not parse, an
 *   unknown charset, an oversized form, %ff in an address.
 * - attachments.test.ts: AttachmentsService refusing a renamed ELF and a file over the limit.
 * - auth.test.ts / flash.spec.ts: a returnTo that leaves the site.
 */
let t: TestApp;
let smtp: SmtpPeer;
let admin: UserRow;
let c: Client;
/** The admin's other sessions, for forms whose answers travel in the session (a flash message). */
let closer: Client;
let mover: Client;
let decider: Client;
let api: ApiClient;
let teamId: number;
let otherTeamId: number;
/** Records the forms below add to. */
const ids = {
  customer: 0,
  opportunity: 0,
  ticket: 0,
  transferTicket: 0,
  portalTicket: 0,
  trackingToken: '',
  survey: '',
  holiday: 0,
  lost: 0,
  staged: 0,
  terminated: 0,
  reversed: 0,
  plannedContract: 0,
  paidContract: 0,
  deciding: 0,
  decideRound: 0,
  signing: 0,
};
/** Open opportunities, one for each closing sent (a lost one cannot be lost again). */
const lostPool: number[] = [];
/** Signed contracts, one for each termination sent; payments, one for each reversal sent. */
const terminatePool: number[] = [];
const reversalPool: number[] = [];
const stagePool: number[] = [];
/** Contracts waiting for the admin's approval (on the record's page, through the API); approved ones to sign. */
const decidePool: number[] = [];
const apiDecidePool: number[] = [];
const signPool: number[] = [];
/** Unanswered surveys, one for each answer sent. */
const surveys: string[] = [];
/** Records whose text is the sink: the pages and files that show them are checked. */
const shown = {
  customer: 0,
  opportunity: 0,
  quote: 0,
  contract: 0,
  ticket: 0,
  followUp: 0,
  decision: 0,
  apiDecision: 0,
};
let fixtures: string;

beforeAll(async () => {
  smtp = await SmtpPeer.onFreePort();
  await smtp.start();
  t = await startApp({ smtpUrl: smtp.url, trustProxy: 'loopback' });
  fixtures = mkdtempSync(join(tmpdir(), 'kehu-hostile-fields-'));
  teamId = await createTeam(t.db, 'Hostile Team');
  otherTeamId = await createTeam(t.db, 'Other Team');
  admin = await createUser(t.db, { role: 'admin', teamId, name: 'Admin Hostile' });
  await createUser(t.db, { role: 'service', teamId, name: 'Agent Hostile' });
  await t.db.query(`INSERT INTO ticket_routing (type, team_id) VALUES ('technical', $1)`, [teamId]);
  c = await signedIn(t, admin, 'zh-CN');
  closer = await signedIn(t, admin, 'zh-CN');
  mover = await signedIn(t, admin, 'zh-CN');
  decider = await signedIn(t, admin, 'zh-CN');
  api = await apiAs(t, admin, 'zh-CN');
  ids.customer = await createCustomer(t.db, { ownerId: admin.id, name: '北京测试科技有限公司' });
  const { rows } = await t.db.query<{ id: number }>(
    `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
     VALUES ($1, $2, '服务器扩容', 'proposal', 300000, 50, '2027-03-31', 1) RETURNING id`,
    [ids.customer, admin.id],
  );
  ids.opportunity = rows[0].id;
  // Tickets of their own for the forms that act on one, which run side by side.
  const ticket = async () =>
    (
      await api.post('/api/v1/tickets', {
        channel: 'phone',
        type: 'technical',
        customerId: ids.customer,
        requester: { name: '李娜', email: 'li.na@yunfan.cn' },
        subject: '打印机',
        body: '无法连接',
      })
    ).body.id as number;
  ids.ticket = await ticket();
  ids.transferTicket = await ticket();
  ids.portalTicket = await ticket();
  ids.trackingToken = (await row(`SELECT tracking_token FROM ticket WHERE id = $1`, [ids.portalTicket]))
    .tracking_token as string;
  for (let i = 0; i < 12; i++) {
    const { rows: deal } = await t.db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
       VALUES ($1, $2, '将要丢单', 'proposal', 1000, 50, '2027-03-31', 1) RETURNING id`,
      [ids.customer, admin.id],
    );
    (i % 2 ? lostPool : stagePool).push(deal[0].id);
  }
  // Signed contracts: one taking payments and invoices (with a plan), and some to terminate.
  for (let n = 1; n <= 8; n++) {
    const { rows: k } = await t.db.query<{ id: number }>(
      `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, signed_on, start_on, end_on,
         approval_rounds, version)
       VALUES ($1, $2, '北京测试科技有限公司', $3, '运维服务', 1000000, 'signed', '2026-10-01', '2026-10-01', '2027-10-01', 1, 1)
       RETURNING id`,
      [`HT-2099-${String(n).padStart(4, '0')}`, ids.customer, admin.id],
    );
    await t.db.query(
      `INSERT INTO contract_line (contract_id, position, item, unit, quantity, unit_price, line_total)
       VALUES ($1, 1, '运维服务', '项', 1, 1000000, 1000000)`,
      [k[0].id],
    );
    if (n > 1 && n < 8) {
      terminatePool.push(k[0].id);
      continue;
    }
    if (n === 8) {
      ids.plannedContract = k[0].id;
      continue;
    }
    ids.paidContract = k[0].id;
    await c.get(`/contracts/${k[0].id}/plan`);
    const plan = await c.post(`/contracts/${k[0].id}/plan`, {
      version: '0',
      'installments[0][dueOn]': '2027-06-30',
      'installments[0][amount]': '1,000,000.00',
    });
    if (plan.status !== 303) throw new Error(`the payment plan was not saved: ${visibleText(plan.text)}`);
  }
  // Payments to reverse.
  for (let i = 0; i < 6; i++) {
    await c.get(`/contracts/${ids.paidContract}`);
    const paid = await c.post(`/contracts/${ids.paidContract}/payments`, {
      receivedOn: '2026-11-02',
      amount: '2',
      method: 'bank_transfer',
    });
    if (paid.status !== 303) throw new Error(`the payment was not recorded: ${visibleText(paid.text)}`);
  }
  const { rows: payments } = await t.db.query<{ id: number }>(
    `SELECT id FROM payment WHERE contract_id = $1 ORDER BY id`,
    [ids.paidContract],
  );
  reversalPool.push(...payments.map((p) => p.id));
  // Drafts submitted for approval (the admin, whose team has no manager, is the approver), and some
  // of them approved, to be signed.
  for (const [pool, count, approved] of [
    [decidePool, 4, false],
    [apiDecidePool, 5, false],
    [signPool, 3, true],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const { rows: k } = await t.db.query<{ id: number }>(
        `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, start_on, end_on, version)
         VALUES ($1, $2, '北京测试科技有限公司', $3, '待审合同', 1000, 'draft', '2027-01-01', '2027-12-31', 1)
         RETURNING id`,
        [
          `HT-2098-${String(decidePool.length + apiDecidePool.length + signPool.length + 1).padStart(4, '0')}`,
          ids.customer,
          admin.id,
        ],
      );
      await t.db.query(
        `INSERT INTO contract_line (contract_id, position, item, unit, quantity, unit_price, line_total)
         VALUES ($1, 1, '运维服务', '项', 1, 1000, 1000)`,
        [k[0].id],
      );
      const submitted = await api.post(`/api/v1/contracts/${k[0].id}/submit`, { version: 1 });
      if (submitted.status !== 200) throw new Error(`not submitted: ${JSON.stringify(submitted.body)}`);
      if (approved) {
        const yes = await api.post(`/api/v1/contracts/${k[0].id}/approve`, {});
        if (yes.status !== 200) throw new Error(`not approved: ${JSON.stringify(yes.body)}`);
      }
      pool.push(k[0].id);
    }
  }
  for (let i = 0; i < 12; i++) {
    const token = `hostile-survey-${i}-${Math.random().toString(36).slice(2)}`;
    await t.db.query(
      `INSERT INTO survey_response (kind, ticket_id, customer_id, sent_to, token, sent_at, expires_at, locale)
       VALUES ('ticket', $1, $2, 'li.na@yunfan.cn', $3, now(), now() + interval '14 days', 'zh-CN')`,
      [ids.ticket, ids.customer, token],
    );
    surveys.push(token);
  }
}, 60_000);

afterAll(async () => {
  await t.close();
  await smtp.stop();
  rmSync(fixtures, { recursive: true, force: true });
});

/** The id at the end of a redirect's address (`/customers/12` → 12). */
const idOf = (reply: Reply) => Number(/\/(\d+)(?:[?#].*)?$/.exec(reply.location ?? '')?.[1]);

async function row(sql: string, params: unknown[]): Promise<Record<string, unknown>> {
  const { rows } = await t.db.query(sql, params);
  expect(rows).toHaveLength(1);
  return rows[0] as Record<string, unknown>;
}

/**
 * One form: where it is, a valid submission, the fields whose text is stored as typed, the fields
 * checked against a format (refusing hostile text with an error beside them), and how to read back
 * what was stored (by form field name). `covers` names the DTO fields (`Class.property`) it sends.
 */
interface FormCase {
  name: string;
  covers: string[];
  page: () => string;
  action?: () => string;
  client?: () => Client;
  /** A valid submission, given the form's page. */
  valid: (page: string) => Record<string, string> | Promise<Record<string, string>>;
  /** Stored as typed. */
  text: string[];
  /** Stored as typed, held to 20–30 characters: sent the short sink. */
  short?: string[];
  /** Held to a format: refused with an error beside the field. */
  checked?: string[];
  /** The stored values, by form field name, of the record `reply` made or changed. */
  stored: (reply: Reply) => Promise<Record<string, unknown>>;
  /** Remembers a record that holds the sink, for the rendering checks. */
  keep?: (reply: Reply) => void;
  /** The short sink must differ each time (a unique field): a count is added to it. */
  uniqueShort?: boolean;
  /** Refused, it goes back to the record's page with the reason above it (a board's action). */
  refusalRedirects?: boolean;
  /** The service checks the formatted fields in turn (the first refusal stops it): sent one at a time. */
  checkedApart?: boolean;
  /** The status of a saved submission, when it is not a redirect (303). */
  saved?: number;
  /** Sent as multipart with this file beside the fields (which are then text, never raw bytes). */
  file?: { name: string; type: string; content: Buffer };
}

/** A small PDF, as a signed scan. */
const PDF = Buffer.from(
  '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);

let visitors = 0;
const visitorHeaders = new WeakMap<Client, Record<string, string>>();
/** A visitor signed in nowhere, reading Chinese, from an address of their own (the portal bounds each address). */
function anonymous(): Client {
  const headers = { 'accept-language': 'zh-CN', 'x-forwarded-for': `203.0.113.${++visitors % 250}` };
  const visitor = new Client(t.url, headers);
  visitorHeaders.set(visitor, headers);
  return visitor;
}

const FORMS: FormCase[] = [
  {
    name: 'new customer',
    covers: [
      'CustomerDto.name',
      'CustomerDto.address',
      'CustomerDto.notes',
      'CustomerDto.province',
      'CustomerDto.city',
      'CustomerDto.district',
      'CustomerDto.creditLevel',
      'CustomerDto.tags',
      'CustomerDto.contactName',
      'CustomerDto.website',
      'CustomerDto.contactMobile',
      'CustomerDto.contactEmail',
    ],
    page: () => '/customers/new',
    // The same hostile name is saved more than once: the duplicate warning is answered.
    valid: () =>
      customerForm({
        name: `正常公司${Math.random()}`,
        confirmDuplicate: 'on',
        duplicateReason: '测试',
      }),
    text: ['name', 'address', 'notes', 'contactName'],
    short: ['creditLevel', 'tags'],
    checked: ['website', 'contactMobile', 'contactEmail', 'uscc', 'birthday'],
    stored: async (reply) => {
      const id = idOf(reply);
      const r = await row(`SELECT name, address, notes, credit_level, tags FROM customer WHERE id = $1`, [
        id,
      ]);
      const contact = await t.db.query(`SELECT name FROM contact WHERE customer_id = $1`, [id]);
      return {
        name: r.name,
        address: r.address,
        notes: r.notes,
        creditLevel: r.credit_level,
        tags: (r.tags as string[])[0],
        contactName: contact.rows[0]?.name ?? null,
      };
    },
    keep: (reply) => (shown.customer = idOf(reply)),
  },
  {
    name: 'new contact',
    covers: [
      'ContactDto.name',
      'ContactDto.title',
      'ContactDto.wechat',
      'ContactDto.mobile',
      'ContactDto.phone',
      'ContactDto.email',
      'ContactDto.birthday',
    ],
    page: () => `/customers/${ids.customer}/contacts/new`,
    valid: () => ({ name: '王芳' }),
    text: ['name', 'title', 'wechat'],
    checked: ['mobile', 'phone', 'email', 'birthday'],
    stored: async () =>
      row(`SELECT name, title, wechat FROM contact WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`, [
        ids.customer,
      ]),
  },
  {
    name: 'follow-up',
    covers: [
      'FollowUpFieldsDto.summary',
      'FollowUpFieldsDto.promises',
      'FollowUpFieldsDto.nextAction',
      'FollowUpFieldsDto.location',
      'FollowUpFieldsDto.happenedAt',
      'FollowUpFieldsDto.nextFollowUpAt',
    ],
    page: () => `/follow-ups/new?customer=${ids.customer}`,
    action: () => '/follow-ups',
    valid: () => ({
      customerId: String(ids.customer),
      method: 'visit',
      happenedAt: '2026-01-15T10:30',
      summary: '拜访采购',
    }),
    text: ['summary', 'promises', 'nextAction', 'location'],
    checked: ['happenedAt', 'nextFollowUpAt'],
    stored: async () => {
      const r = await row(
        `SELECT id, summary, promises, next_action, location FROM follow_up WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`,
        [ids.customer],
      );
      shown.followUp = r.id as number;
      return { summary: r.summary, promises: r.promises, nextAction: r.next_action, location: r.location };
    },
  },
  {
    name: 'new opportunity',
    covers: [
      'OpportunityFieldsDto.title',
      'OpportunityFieldsDto.competitors',
      'OpportunityFieldsDto.nextStep',
      'OpportunityFieldsDto.amount',
      'OpportunityFieldsDto.expectedCloseDate',
    ],
    page: () => `/opportunities/new?customer=${ids.customer}`,
    action: () => '/opportunities/new',
    valid: () => ({
      customerId: String(ids.customer),
      title: '扩容',
      amount: '100000',
      expectedCloseDate: '2027-06-30',
      ownerId: String(admin.id),
    }),
    text: ['title', 'competitors', 'nextStep'],
    checked: ['amount', 'expectedCloseDate'],
    stored: async (reply) => {
      const r = await row(`SELECT title, competitors, next_step FROM opportunity WHERE id = $1`, [
        idOf(reply),
      ]);
      return { title: r.title, competitors: r.competitors, nextStep: r.next_step };
    },
    keep: (reply) => (shown.opportunity = idOf(reply)),
  },
  {
    name: 'new quote',
    covers: [
      'QuoteFieldsDto.terms',
      'QuoteFieldsDto.taxRate',
      'QuoteFieldsDto.validUntil',
      'QuoteFieldsDto.discountPercent',
      'QuoteLineDto.itemName',
      'QuoteLineDto.specification',
      'QuoteLineDto.unit',
      'QuoteLineDto.quantity',
      'QuoteLineDto.unitPrice',
      'QuoteLineDto.discountPercent',
    ],
    page: () => `/opportunities/${ids.opportunity}/quotes/new`,
    valid: () => ({
      taxRate: '13',
      validUntil: '2099-12-31',
      'lines[0][itemName]': '服务器',
      'lines[0][quantity]': '1',
      'lines[0][unitPrice]': '1000',
    }),
    text: ['terms', 'lines[0][itemName]', 'lines[0][specification]'],
    short: ['lines[0][unit]'],
    checked: [
      'taxRate',
      'validUntil',
      'discountPercent',
      'lines[0][quantity]',
      'lines[0][unitPrice]',
      'lines[0][discountPercent]',
    ],
    stored: async (reply) => {
      const id = idOf(reply);
      const q = await row(`SELECT terms FROM quote WHERE id = $1`, [id]);
      const l = await row(`SELECT item_name, specification, unit FROM quote_line WHERE quote_id = $1`, [id]);
      return {
        terms: q.terms,
        'lines[0][itemName]': l.item_name,
        'lines[0][specification]': l.specification,
        'lines[0][unit]': l.unit,
      };
    },
    keep: (reply) => (shown.quote = idOf(reply)),
  },
  {
    name: 'new contract',
    covers: [
      'ContractFieldsDto.title',
      'ContractFieldsDto.paymentTerms',
      'ContractFieldsDto.ourSignatoryName',
      'ContractFieldsDto.ourSignatoryTitle',
      'ContractFieldsDto.customerSignatoryName',
      'ContractFieldsDto.customerSignatoryTitle',
      'ContractFieldsDto.startOn',
      'ContractFieldsDto.endOn',
      'ContractLineDto.item',
      'ContractLineDto.specification',
      'ContractLineDto.unit',
      'ContractLineDto.quantity',
      'ContractLineDto.unitPrice',
    ],
    page: () => `/contracts/new?customer=${ids.customer}`,
    action: () => '/contracts/new',
    valid: () => ({
      customerId: String(ids.customer),
      title: '服务合同',
      startOn: '2027-01-01',
      endOn: '2027-12-31',
      'lines[0][item]': '服务器',
      'lines[0][quantity]': '2',
      'lines[0][unitPrice]': '68,000.00',
    }),
    text: [
      'title',
      'paymentTerms',
      'ourSignatoryName',
      'ourSignatoryTitle',
      'customerSignatoryName',
      'customerSignatoryTitle',
      'lines[0][item]',
      'lines[0][specification]',
    ],
    short: ['lines[0][unit]'],
    checked: ['startOn', 'endOn', 'lines[0][quantity]', 'lines[0][unitPrice]'],
    stored: async (reply) => {
      const id = idOf(reply);
      const k = await row(
        `SELECT title, payment_terms, our_signatory_name, our_signatory_title, customer_signatory_name,
                customer_signatory_title FROM contract WHERE id = $1`,
        [id],
      );
      const l = await row(`SELECT item, specification, unit FROM contract_line WHERE contract_id = $1`, [id]);
      return {
        title: k.title,
        paymentTerms: k.payment_terms,
        ourSignatoryName: k.our_signatory_name,
        ourSignatoryTitle: k.our_signatory_title,
        customerSignatoryName: k.customer_signatory_name,
        customerSignatoryTitle: k.customer_signatory_title,
        'lines[0][item]': l.item,
        'lines[0][specification]': l.specification,
        'lines[0][unit]': l.unit,
      };
    },
    keep: (reply) => (shown.contract = idOf(reply)),
  },
  {
    name: 'new ticket (agent)',
    covers: [
      'NewTicketDto.subject',
      'NewTicketDto.body',
      'NewTicketDto.requesterName',
      'NewTicketDto.requesterEmail',
      'NewTicketDto.requesterMobile',
      'NewTicketDto.receivedAt',
    ],
    page: () => '/tickets/new',
    valid: () => ({
      channel: 'phone',
      receivedAt: '2026-11-30T09:05',
      customerId: String(ids.customer),
      type: 'technical',
      priority: 'normal',
      subject: '打印机',
      body: '客户来电',
    }),
    text: ['subject', 'body'],
    checked: ['requesterEmail', 'requesterMobile', 'receivedAt'],
    stored: async (reply) => {
      const id = idOf(reply);
      const k = await row(`SELECT subject FROM ticket WHERE id = $1`, [id]);
      const m = await row(`SELECT body FROM ticket_message WHERE ticket_id = $1 ORDER BY id LIMIT 1`, [id]);
      return { subject: k.subject, body: m.body };
    },
    keep: (reply) => (shown.ticket = idOf(reply)),
  },
  {
    name: 'new ticket (requester without a customer)',
    covers: [],
    page: () => '/tickets/new',
    valid: () => ({
      channel: 'phone',
      receivedAt: '2026-11-30T09:05',
      type: 'technical',
      priority: 'normal',
      subject: '打印机',
      body: '客户来电',
      requesterName: '李娜',
      requesterMobile: '13812345678',
    }),
    text: ['requesterName'],
    stored: async (reply) =>
      row(`SELECT requester_name AS "requesterName" FROM ticket WHERE id = $1`, [idOf(reply)]),
  },
  {
    name: 'portal request',
    covers: [
      'PortalTicketDto.name',
      'PortalTicketDto.company',
      'PortalTicketDto.subject',
      'PortalTicketDto.description',
      'PortalTicketDto.email',
      'PortalTicketDto.mobile',
    ],
    client: anonymous,
    page: () => '/portal/tickets/new',
    valid: () => ({
      name: '李娜',
      company: '杭州云帆',
      email: `li.${Math.random().toString(36).slice(2, 8)}@yunfan.cn`,
      type: 'technical',
      subject: '打印机无法连接',
      description: '无法连接',
      website: '',
    }),
    text: ['name', 'company', 'subject', 'description'],
    checked: ['email', 'mobile'],
    stored: async () => {
      const k = await row(
        `SELECT id, requester_name, subject FROM ticket WHERE channel = 'portal' ORDER BY id DESC LIMIT 1`,
        [],
      );
      const m = await row(`SELECT body FROM ticket_message WHERE ticket_id = $1 ORDER BY id LIMIT 1`, [k.id]);
      // An unknown requester's company becomes the name of a new lead customer.
      const company = await row(
        `SELECT cu.name FROM ticket t JOIN customer cu ON cu.id = t.customer_id WHERE t.id = $1`,
        [k.id],
      );
      return { name: k.requester_name, subject: k.subject, description: m.body, company: company.name };
    },
  },
  {
    name: 'reply to a ticket',
    covers: ['TicketReplyDto.body'],
    page: () => `/tickets/${ids.ticket}`,
    action: () => `/tickets/${ids.ticket}/reply`,
    valid: (page) => ({ ...formValues(page, `/tickets/${ids.ticket}/reply`), body: '已处理' }),
    text: ['body'],
    stored: () =>
      row(`SELECT body FROM ticket_message WHERE ticket_id = $1 ORDER BY id DESC LIMIT 1`, [ids.ticket]),
  },
  {
    name: 'transfer a ticket',
    covers: ['TicketTransferDto.reason'],
    page: () => `/tickets/${ids.transferTicket}`,
    action: () => `/tickets/${ids.transferTicket}/transfer`,
    // To whichever of the two teams does not have it.
    valid: async (page) => {
      const { team_id } = await row(`SELECT team_id FROM ticket WHERE id = $1`, [ids.transferTicket]);
      const to = team_id === teamId ? otherTeamId : teamId;
      return { ...formValues(page, `/tickets/${ids.transferTicket}/transfer`), teamId: String(to) };
    },
    text: ['reason'],
    // The reason is kept in the ticket's history (the audit trail).
    stored: () =>
      row(
        `SELECT diff->'reason'->>'to' AS reason FROM audit_entry
          WHERE entity = 'ticket' AND entity_id = $1 AND action = 'transfer' ORDER BY id DESC LIMIT 1`,
        [String(ids.transferTicket)],
      ),
  },
  {
    name: 'the requester replies on the portal',
    covers: ['PortalReplyDto.body'],
    client: anonymous,
    page: () => `/portal/tickets/${ids.trackingToken}`,
    action: () => `/portal/tickets/${ids.trackingToken}/reply`,
    valid: () => ({ body: '谢谢' }),
    text: ['body'],
    stored: () =>
      row(`SELECT body FROM ticket_message WHERE ticket_id = $1 ORDER BY id DESC LIMIT 1`, [
        ids.portalTicket,
      ]),
  },
  {
    name: 'answer a survey',
    covers: ['SurveyAnswerDto.comment'],
    client: anonymous,
    // A survey is answered once: each submission answers a fresh one.
    page: () => `/survey/${(ids.survey = surveys.shift()!)}`,
    action: () => `/survey/${ids.survey}`,
    valid: () => ({ csat: '2', ces: '3' }),
    text: ['comment'],
    stored: () => row(`SELECT comment FROM survey_response WHERE token = $1`, [ids.survey]),
  },
  {
    name: 'an opportunity lost',
    covers: ['LostDto.lostNote'],
    client: () => closer,
    page: () => `/opportunities/${(ids.lost = lostPool.shift()!)}/lost`,
    action: () => `/opportunities/${ids.lost}/lost`,
    valid: (page) => ({ ...formValues(page, `/opportunities/${ids.lost}/lost`), lostReason: 'price' }),
    text: ['lostNote'],
    stored: () => row(`SELECT lost_note AS "lostNote" FROM opportunity WHERE id = $1`, [ids.lost]),
  },
  {
    name: 'an opportunity moved to lost on the board',
    covers: ['StageChangeDto.lostNote'],
    // A session of its own: the refusal it reads back is a flash message in the session.
    client: () => mover,
    page: () => `/opportunities/${(ids.staged = stagePool.shift()!)}`,
    action: () => `/opportunities/${ids.staged}/stage`,
    valid: async () => ({
      stage: 'lost',
      lostReason: 'price',
      version: String((await row(`SELECT version FROM opportunity WHERE id = $1`, [ids.staged])).version),
    }),
    text: ['lostNote'],
    refusalRedirects: true,
    stored: () => row(`SELECT lost_note AS "lostNote" FROM opportunity WHERE id = $1`, [ids.staged]),
  },
  {
    name: 'a payment received',
    covers: ['PaymentDto.reference', 'PaymentDto.note', 'PaymentDto.amount', 'PaymentDto.receivedOn'],
    page: () => `/contracts/${ids.paidContract}`,
    action: () => `/contracts/${ids.paidContract}/payments`,
    valid: () => ({ receivedOn: '2026-11-01', amount: '1', method: 'bank_transfer' }),
    text: ['reference', 'note'],
    checked: ['amount', 'receivedOn'],
    stored: () =>
      row(`SELECT reference, note FROM payment WHERE contract_id = $1 ORDER BY id DESC LIMIT 1`, [
        ids.paidContract,
      ]),
  },
  {
    name: 'an invoice issued',
    covers: [
      'InvoiceDto.number',
      'InvoiceDto.note',
      'InvoiceDto.amount',
      'InvoiceDto.issuedOn',
      'InvoiceDto.taxRate',
    ],
    page: () => `/contracts/${ids.paidContract}`,
    action: () => `/contracts/${ids.paidContract}/invoices`,
    valid: () => ({
      number: `FP${Math.random().toString().slice(2, 10)}`,
      issuedOn: '2026-11-01',
      amount: '1',
      type: 'vat_general',
      taxRate: '13',
    }),
    text: ['note'],
    short: ['number'],
    // A number is unique on its contract: each short sink sent ends in a count.
    uniqueShort: true,
    checked: ['amount', 'issuedOn', 'taxRate'],
    stored: () =>
      row(`SELECT number, note FROM invoice WHERE contract_id = $1 ORDER BY id DESC LIMIT 1`, [
        ids.paidContract,
      ]),
  },
  {
    name: 'a contract terminated',
    covers: ['ContractTerminateDto.reason'],
    page: () => `/contracts/${(ids.terminated = terminatePool.shift()!)}`,
    action: () => `/contracts/${ids.terminated}/terminate`,
    valid: (page) => formValues(page, `/contracts/${ids.terminated}/terminate`),
    text: ['reason'],
    stored: () => row(`SELECT termination_reason AS reason FROM contract WHERE id = $1`, [ids.terminated]),
  },
  {
    name: 'a payment reversed',
    covers: ['ReversalDto.reversalReason'],
    page: () => {
      ids.reversed = reversalPool.shift()!;
      return `/contracts/${ids.paidContract}`;
    },
    action: () => `/contracts/${ids.paidContract}/payments/${ids.reversed}/reverse`,
    valid: () => ({}),
    text: ['reversalReason'],
    stored: () =>
      row(`SELECT reversal_reason AS "reversalReason" FROM payment WHERE id = $1`, [ids.reversed]),
  },
  {
    name: 'a payment plan',
    covers: ['InstallmentDto.note', 'InstallmentDto.dueOn', 'InstallmentDto.amount'],
    page: () => `/contracts/${ids.plannedContract}/plan?split=2`,
    action: () => `/contracts/${ids.plannedContract}/plan`,
    valid: (page) => formValues(page, `/contracts/${ids.plannedContract}/plan`),
    text: ['installments[0][note]'],
    checked: ['installments[0][dueOn]', 'installments[0][amount]'],
    checkedApart: true,
    stored: async () => ({
      'installments[0][note]': (
        await row(`SELECT note FROM payment_installment WHERE contract_id = $1 ORDER BY position LIMIT 1`, [
          ids.plannedContract,
        ])
      ).note,
    }),
  },
  {
    name: 'an approval decision on the contract’s page',
    covers: ['DecideDto.comment'],
    // A session of its own: a refusal is told beside the form on the contract's page, through the session.
    client: () => decider,
    page: () => `/contracts/${(ids.deciding = decidePool.shift()!)}`,
    action: () => `/approvals/${ids.decideRound}/decide`,
    valid: (page) => {
      ids.decideRound = Number(/action="\/approvals\/(\d+)\/decide"/.exec(page)?.[1]);
      return { ...formValues(page, `/approvals/${ids.decideRound}/decide`), decision: 'approve' };
    },
    text: ['comment'],
    refusalRedirects: true,
    stored: () =>
      row(
        `SELECT a.comment FROM approval_approver a
           JOIN approval_step s ON s.id = a.step_id JOIN approval_round r ON r.id = s.round_id
          WHERE r.subject_kind = 'contract' AND r.subject_id = $1 AND a.decision = 'approve'`,
        [ids.deciding],
      ),
    keep: (reply) => (shown.decision = idOf(reply)),
  },
  {
    name: 'a contract signed',
    covers: ['ContractSignDto.signedOn'],
    page: () => `/contracts/${(ids.signing = signPool.shift()!)}`,
    action: () => `/contracts/${ids.signing}/sign`,
    valid: (page) => ({ ...formValues(page, `/contracts/${ids.signing}/sign`), signedOn: '2026-11-20' }),
    file: { name: '签字版.pdf', type: 'application/pdf', content: PDF },
    text: [],
    checked: ['signedOn'],
    // A good day is taken: the contract is signed on it.
    stored: async () => {
      const k = await row(`SELECT status, signed_on::text AS "signedOn" FROM contract WHERE id = $1`, [
        ids.signing,
      ]);
      expect(k).toEqual({ status: 'signed', signedOn: '2026-11-20' });
      return {};
    },
  },
  {
    name: 'new team',
    covers: ['TeamDto.name'],
    page: () => '/admin/teams',
    valid: (page) => formValues(page, '/admin/teams'),
    text: ['name'],
    stored: () => row(`SELECT name FROM team ORDER BY id DESC LIMIT 1`, []),
  },
  {
    name: 'new user',
    covers: ['UserDto.name', 'UserDto.email'],
    page: () => '/admin/users/new',
    valid: (page) => ({
      ...formValues(page, '/admin/users/new'),
      email: `hostile.${Math.random().toString(36).slice(2)}@test.kehu`,
      name: '张三',
      role: 'sales',
      password: 'a-long-enough-password',
    }),
    text: ['name'],
    checked: ['email'],
    stored: () => row(`SELECT name FROM app_user ORDER BY id DESC LIMIT 1`, []),
  },
  {
    name: 'new webhook',
    covers: [
      'WebhookEndpointDto.description',
      'WebhookEndpointDto.url',
      'WebhookEndpointDto.secret',
      'WebhookEndpointDto.events',
    ],
    page: () => '/admin/webhooks',
    valid: (page) => ({
      ...formValues(page, '/admin/webhooks'),
      // On this machine, so no name needs looking up: allowed as an internal target.
      url: 'http://127.0.0.1:9/kehu',
      internal: 'on',
      events: 'ticket.created',
    }),
    text: ['description', 'secret'],
    checked: ['url', 'events'],
    checkedApart: true,
    stored: () => row(`SELECT description, secret FROM webhook_endpoint ORDER BY id DESC LIMIT 1`, []),
  },
  {
    name: 'new canned reply',
    covers: ['CannedReplyDto.title', 'CannedReplyDto.body'],
    page: () => '/admin/tickets',
    action: () => '/admin/tickets/canned',
    valid: (page) => ({ ...formValues(page, '/admin/tickets/canned'), title: '问候', body: '您好' }),
    text: ['title', 'body'],
    stored: () => row(`SELECT title, body FROM canned_reply ORDER BY id DESC LIMIT 1`, []),
  },
  {
    name: 'a holiday on the business calendar',
    covers: ['CalendarExceptionDto.name', 'CalendarExceptionDto.day'],
    page: () => '/admin/calendar',
    action: () => '/admin/calendar/exceptions',
    valid: (page) => ({
      ...formValues(page, '/admin/calendar/exceptions'),
      day: `2027-0${1 + (++ids.holiday % 9)}-1${ids.holiday % 10}`,
      kind: 'holiday',
      name: '假期',
    }),
    text: [],
    short: ['name'],
    checked: ['day'],
    stored: () => row(`SELECT name FROM calendar_exception ORDER BY id DESC LIMIT 1`, []),
  },
  {
    name: 'business hours',
    covers: [
      'CalendarHoursDto.monOpens',
      'CalendarHoursDto.monCloses',
      'CalendarHoursDto.tueOpens',
      'CalendarHoursDto.tueCloses',
      'CalendarHoursDto.wedOpens',
      'CalendarHoursDto.wedCloses',
      'CalendarHoursDto.thuOpens',
      'CalendarHoursDto.thuCloses',
      'CalendarHoursDto.friOpens',
      'CalendarHoursDto.friCloses',
      'CalendarHoursDto.satOpens',
      'CalendarHoursDto.satCloses',
      'CalendarHoursDto.sunOpens',
      'CalendarHoursDto.sunCloses',
      'CalendarHoursDto.lunchStarts',
      'CalendarHoursDto.lunchEnds',
    ],
    page: () => '/admin/calendar',
    action: () => '/admin/calendar/hours',
    valid: (page) => formValues(page, '/admin/calendar/hours'),
    text: [],
    checked: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
      .flatMap((d) => [`${d}Opens`, `${d}Closes`])
      .concat(['lunchStarts', 'lunchEnds']),
    stored: async () => ({}),
  },
  {
    name: 'an API token',
    covers: ['ApiTokenDto.name'],
    page: () => '/account/tokens',
    valid: (page) => formValues(page, '/account/tokens'),
    text: ['name'],
    stored: () => row(`SELECT name FROM api_token ORDER BY id DESC LIMIT 1`, []),
    saved: 201,
  },
  ...(
    [
      [
        'company',
        ['nameZh', 'nameEn', 'addressZh', 'addressEn', 'bankName'],
        ['phone', 'bankAccount'],
        'CompanyProfileDto',
      ],
      ['contract_template', ['textZh', 'textEn'], [], 'ContractTemplateDto'],
      ['quotes', ['defaultTerms'], ['discountThreshold', 'validDays'], 'QuoteRulesDto'],
      [
        'automation_rules',
        ['birthdayZh', 'birthdayEn', 'holidayZh', 'holidayEn'],
        [
          'vipIdleDays',
          'lowCsatBelow',
          'complaintRateAbove',
          'contractSurveyDays',
          'jumpPercent',
          'slaDropPoints',
          'npsSkipDays',
          'slaAttainmentBelow',
          'alertMinTickets',
        ],
        'RuleSettingsDto',
      ],
      ['group_robots', [], ['wecomUrl', 'dingtalkUrl', 'dingtalkSecret'], 'RobotSettingsDto'],
      ['approvals', [], ['threshold'], 'ApprovalRulesDto'],
      ['pipeline', [], ['staleDays'], 'PipelineRulesDto'],
      ['pool', [], ['maxOwned', 'returnDaysA', 'returnDaysB', 'returnDaysC', 'warnDays'], 'PoolRulesDto'],
    ] as const
  ).map(([key, text, checked, dto]): FormCase => ({
    name: `settings: ${key}`,
    covers: [...text, ...checked].map((f) => `${dto}.${f}`),
    page: () => '/admin/settings',
    action: () => `/admin/settings/${key}`,
    valid: (page) => formValues(page, `/admin/settings/${key}`),
    text: [...text],
    checked: [...checked],
    stored: async () =>
      (await row(`SELECT value FROM setting WHERE key = $1`, [key])).value as Record<string, unknown>,
  })),
];

/** Short sinks made unique so far. */
let counted = 0;

/** INVALID_UTF8 as a browser reads it. */
const BROKEN = new TextDecoder().decode(INVALID_UTF8);

/** Reads the form's page, fills a valid submission with `fill` (text, or raw bytes), and posts it. */
async function send(
  form: FormCase,
  client: Client,
  fill: (fields: Record<string, string | Buffer>) => void,
): Promise<Reply> {
  // A form whose submission does not depend on its page is posted with the token already held.
  let html = '';
  if (form.valid.length > 0 || !client.csrf) {
    const path = form.page();
    const page = await client.get(path);
    if (page.status !== 200) throw new Error(`GET ${path} answered ${page.status}`);
    html = page.text;
  } else form.page();
  const fields: Record<string, string | Buffer> = { ...(await form.valid(html)) };
  fill(fields);
  const action = form.action?.() ?? form.page();
  const reply = form.file
    ? await client.upload(
        action,
        form.file,
        Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])),
      )
    : await postRaw(client, action, fields);
  if (!form.refusalRedirects || reply.status !== 303 || !reply.location) return reply;
  // Refused, an action on a record page goes back to the page and says why: above it, or beside the
  // form it was sent from (an approval decision's comment).
  const next = await client.get(reply.location);
  return refusalMessages(next.text).length > 0 ? { ...next, status: 422 } : reply;
}

/** Posts a form body as given: text percent-encoded as a browser does, bytes as they are. */
async function postRaw(
  client: Client,
  path: string,
  fields: Record<string, string | Buffer>,
): Promise<Reply> {
  const pairs = Object.entries({ _csrf: client.csrf ?? '', ...fields }).map(([k, v]) =>
    Buffer.concat([
      Buffer.from(`${encodeURIComponent(k)}=`),
      typeof v === 'string' ? Buffer.from(encodeURIComponent(v)) : v,
    ]),
  );
  const res = await fetch(t.url + path, {
    method: 'POST',
    body: Buffer.concat(pairs.flatMap((p, i) => (i ? [Buffer.from('&'), p] : [p]))),
    redirect: 'manual',
    headers: {
      ...(visitorHeaders.get(client) ?? {}),
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `kehu.sid=${client.sessionId ?? ''}`,
    },
  });
  return {
    status: res.status,
    text: await res.text(),
    location: res.headers.get('location'),
    headers: res.headers,
  };
}

/**
 * The values a form on `html` would post as it stands (inputs, checked boxes, text areas, selected
 * options), for the form whose action is `action`.
 */
function formValues(html: string, action: string): Record<string, string> {
  // Each form up to its end, or to the next form where one is left open.
  const forms = html
    .split(/(?=<form\b)/)
    .map((chunk) => /^<form\b[^>]*action="([^"]*)"[^>]*>([\s\S]*?)(?:<\/form>|$)/.exec(chunk))
    .filter((m) => m !== null);
  // The last: where a page lists records each with its form, the form for a new one comes after them.
  const form = forms.findLast((m) => decodeHtml(m[1]) === action);
  if (!form) throw new Error(`no form posting to ${action} among ${forms.map((m) => m[1]).join(', ')}`);
  const out: Record<string, string> = {};
  const body = form[2];
  for (const m of body.matchAll(/<input\b([^>]*)>/g)) {
    const attrs = m[1];
    const name = /\bname="([^"]*)"/.exec(attrs)?.[1];
    const type = /\btype="([^"]*)"/.exec(attrs)?.[1] ?? 'text';
    if (!name || type === 'submit' || type === 'file' || name === '_csrf') continue;
    if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/.test(attrs)) continue;
    out[decodeHtml(name)] = decodeHtml(
      /\bvalue="([^"]*)"/.exec(attrs)?.[1] ?? (type === 'checkbox' ? 'on' : ''),
    );
  }
  for (const m of body.matchAll(/<textarea\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g))
    out[decodeHtml(m[1])] = decodeHtml(m[2]);
  for (const m of body.matchAll(/<select\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected =
      /<option\b[^>]*value="([^"]*)"[^>]*\bselected\b/.exec(m[2]) ??
      /<option\b[^>]*value="([^"]*)"/.exec(m[2]);
    out[decodeHtml(m[1])] = decodeHtml(selected?.[1] ?? '');
  }
  return out;
}

/** The fields the page names as refused, with their error text. */
function fieldErrors(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<div class="errors" id="e-([^"]+)">([\s\S]*?)<\/div>/g))
    out[m[1]] = visibleText(m[2]);
  // A field's errors inside its block.
  for (const block of html.split(/(?=<(?:div|fieldset) class="field)/).slice(1)) {
    const name = /\bname="([^"]+)"/.exec(block)?.[1];
    const errors = [...block.split(/<\/form>/)[0].matchAll(/<p class="error"[^>]*>([\s\S]*?)<\/p>/g)];
    if (name && errors.length && !(errorId(name) in out))
      out[errorId(name)] = errors.map((e) => visibleText(e[1])).join(' ');
  }
  // In a table of lines, the errors follow the line's input.
  for (const m of html.matchAll(/<input\b[^>]*\bname="([^"]+)"[^>]*>((?:<p class="error">[\s\S]*?<\/p>)+)/g))
    out[errorId(m[1])] = visibleText(m[2]);
  return out;
}

/** What a refused page tells the user: the errors beside fields and above the form. */
function refusalMessages(html: string): string[] {
  const above = [...html.matchAll(/<div class="flash flash-error"[^>]*>([\s\S]*?)<\/div>/g)];
  return [...Object.values(fieldErrors(html)), ...above.map((m) => visibleText(m[1]))];
}

/** A summary of a refused submission for a failing assertion: its status and what the user reads. */
function outcome(reply: Reply) {
  const errors = reply.status === 422 ? fieldErrors(reply.text) : {};
  const unexplained = reply.status >= 400 && Object.keys(errors).length === 0;
  return {
    status: reply.status,
    errors,
    page: unexplained
      ? visibleText(/<main[\s\S]*<\/main>/.exec(reply.text)?.[0] ?? reply.text).slice(0, 1500)
      : '',
  };
}

/** What a saved form answers. */
const SAVED = { status: 303, errors: {}, page: '' };
const savedAs = (form: FormCase) => ({ ...SAVED, status: form.saved ?? 303 });

/** The id of a field's error on the page: `lines[0][item]` → `lines-0-item`. */
const errorId = (field: string) => field.replace(/\[/g, '-').replace(/\]/g, '');

/** An error in Chinese (the user's language), not a message key or English. */
const inChinese = (message: string) =>
  /[\u4e00-\u9fff]/.test(message) && !/validation\./.test(message) && !/\{\w+\}/.test(message);

describe('hostile text through every form', () => {
  it('every text field of every form and API body is in the table below', async () => {
    const sent = new Set([...FORMS, ...API_CASES, ...QUERIES].flatMap((f) => f.covers));
    const missing = (await stringFieldsOfForms())
      .filter((f) => !f.choice && !sent.has(f.field) && !(f.field in NOT_SENT))
      .map((f) => `${f.field} (${f.file})`);
    expect(missing).toEqual([]);
  });

  // The forms touch records of their own, so they are sent side by side, each form's steps in turn.
  describe.concurrent('each form', () => {
    for (const form of FORMS) {
      const all = [...form.text, ...(form.short ?? [])];
      const client = () => (form.client ? form.client() : c);

      it(`${form.name}: stored exactly or refused beside the field, never a server error`, async () => {
        // Each sink, followed in the body by bytes that are not UTF-8: a field keeps the sink and
        // shows each broken byte as U+FFFD, as a browser does. The markup sink goes last, for the
        // pages checked below.
        for (const sink of [...SINKS].reverse()) {
          const short = form.uniqueShort ? `${SHORT_SINK}${++counted}` : SHORT_SINK;
          const sent = (f: string) => (form.short?.includes(f) ? short : sink + BROKEN);
          const reply = await send(form, client(), (fields) => {
            for (const f of all)
              fields[f] = form.short?.includes(f)
                ? short
                : Buffer.concat([Buffer.from(encodeURIComponent(sink)), INVALID_UTF8]);
          });
          expect(outcome(reply)).toEqual(savedAs(form));
          const stored = await form.stored(reply);
          for (const f of all) expect({ [f]: stored[f] }).toEqual({ [f]: sent(f) });
          form.keep?.(reply);
        }
        if (all.length > 0) await longAndNul(form, all, client);

        // Fields with a format (a date, an amount, an e-mail address): the sink is refused beside each
        // (one at a time where the service checks them in turn).
        const groups = form.checkedApart ? (form.checked ?? []).map((f) => [f]) : [form.checked ?? []];
        for (const group of groups.filter((g) => g.length > 0)) {
          const bad = await send(form, client(), (fields) => {
            for (const f of group) fields[f] = SINK;
          });
          expect(outcome(bad).status).toBe(422);
          const refused = fieldErrors(bad.text);
          for (const f of group) {
            expect(Object.keys(refused), f).toContain(errorId(f));
            expect(inChinese(refused[errorId(f)]), refused[errorId(f)]).toBe(true);
          }
        }
      });
    }
  });
});

/** 10,000 characters and a NUL through the text fields `all` of a form. */
async function longAndNul(form: FormCase, all: string[], client: () => Client): Promise<void> {
  // 10,000 characters: kept whole, or refused with the field's limit beside it.
  const long = await send(form, client(), (fields) => {
    for (const f of all) fields[f] = LONG;
  });
  expect([form.saved ?? 303, 422]).toContain(long.status);
  const errors = long.status === 422 ? fieldErrors(long.text) : {};
  if (long.status === 422 && form.refusalRedirects)
    for (const f of all) errors[errorId(f)] = refusalMessages(long.text).join(' ');
  for (const message of Object.values(errors)) expect(inChinese(message), message).toBe(true);
  // The fields that did not refuse it keep every character.
  const kept = all.filter((f) => !(errorId(f) in errors));
  const saved =
    kept.length === 0 || long.status === (form.saved ?? 303)
      ? long
      : await send(form, client(), (fields) => {
          for (const f of kept) fields[f] = LONG;
        });
  const stored = kept.length === 0 ? {} : await form.stored(saved);
  expect({
    saved: kept.length === 0 ? savedAs(form) : outcome(saved),
    kept: Object.fromEntries(kept.map((f) => [f, stored[f]])),
  }).toEqual({ saved: savedAs(form), kept: Object.fromEntries(kept.map((f) => [f, LONG])) });

  // A NUL character: refused beside the field.
  const nul = await send(form, client(), (fields) => {
    for (const f of all) fields[f] = WITH_NUL;
  });
  expect(nul.status).toBe(422);
  for (const f of all) {
    const said = form.refusalRedirects
      ? refusalMessages(nul.text).join(' ')
      : fieldErrors(nul.text)[errorId(f)];
    expect(said, f).toContain('包含不允许的字符（NUL），请重新输入。');
  }
}

/** An API body: the resource, a valid body, the fields whose text is stored as typed. */
interface ApiCase {
  name: string;
  covers: string[];
  path: () => string;
  valid: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  text: string[];
  checked?: string[];
  stored: (id: number) => Promise<Record<string, unknown>>;
  /** The status of a saved body, when it is not 201 (an action on a record answers 200). */
  saved?: number;
}

const API_CASES: ApiCase[] = [
  {
    name: 'POST /api/v1/tickets/:id/messages',
    covers: ['TicketApiMessageDto.body'],
    path: () => `/api/v1/tickets/${ids.ticket}/messages`,
    valid: async () => ({
      body: '已回复',
      version: (await row(`SELECT version FROM ticket WHERE id = $1`, [ids.ticket])).version,
    }),
    text: ['body'],
    stored: () =>
      row(`SELECT body FROM ticket_message WHERE ticket_id = $1 ORDER BY id DESC LIMIT 1`, [ids.ticket]),
  },
  {
    name: 'POST /api/v1/customers',
    covers: [],
    path: () => '/api/v1/customers',
    valid: () => ({
      kind: 'company',
      name: `接口公司${Math.random()}`,
      tier: 'C',
      status: 'lead',
      confirmDuplicate: true,
      duplicateReason: '测试',
    }),
    text: ['name', 'address', 'notes'],
    checked: ['website', 'uscc'],
    stored: (id) => row(`SELECT name, address, notes FROM customer WHERE id = $1`, [id]),
  },
  {
    name: 'POST /api/v1/contacts',
    covers: [],
    path: () => '/api/v1/contacts',
    valid: () => ({ customerId: ids.customer, name: '王芳' }),
    text: ['name', 'title', 'wechat'],
    checked: ['email', 'mobile'],
    stored: (id) => row(`SELECT name, title, wechat FROM contact WHERE id = $1`, [id]),
  },
  {
    name: 'POST /api/v1/tickets',
    covers: [
      'TicketApiCreateDto.subject',
      'TicketApiCreateDto.body',
      'TicketApiCreateDto.receivedAt',
      'TicketRequesterDto.name',
      'TicketRequesterDto.company',
      'TicketRequesterDto.email',
      'TicketRequesterDto.mobile',
    ],
    path: () => '/api/v1/tickets',
    valid: () => ({
      channel: 'phone',
      type: 'technical',
      priority: 'normal',
      requester: { name: '李娜', mobile: '13812345678' },
      subject: '接口',
      body: '正文',
    }),
    text: ['subject', 'body'],
    checked: ['receivedAt'],
    stored: async (id) => {
      const k = await row(`SELECT subject FROM ticket WHERE id = $1`, [id]);
      const m = await row(`SELECT body FROM ticket_message WHERE ticket_id = $1 ORDER BY id LIMIT 1`, [id]);
      return { subject: k.subject, body: m.body };
    },
  },
  {
    name: 'POST /api/v1/contracts/:id/approve',
    covers: ['ContractDecisionDto.comment'],
    path: () => `/api/v1/contracts/${apiDecidePool.shift()!}/approve`,
    valid: () => ({}),
    text: ['comment'],
    saved: 200,
    // The comment is the approver's, on the contract's approval round. The first holds the markup sink.
    stored: async (id) => {
      shown.apiDecision ||= id;
      return row(
        `SELECT a.comment FROM approval_approver a
           JOIN approval_step s ON s.id = a.step_id JOIN approval_round r ON r.id = s.round_id
          WHERE r.subject_kind = 'contract' AND r.subject_id = $1 AND a.decision = 'approve'`,
        [id],
      );
    },
  },
];

describe('hostile text through the API', () => {
  it('names the bound a number breaks, in the user’s language', async () => {
    const reply = await api.post(`/api/v1/tickets/${ids.ticket}/messages`, { body: '你好', version: 0 });
    expect(reply.status).toBe(422);
    expect(reply.body.details).toContainEqual({ field: 'version', message: '不能小于 1。' });
  });

  for (const body of API_CASES) {
    it(`${body.name}: stored exactly, or refused with the field named`, async () => {
      for (const sink of SINKS) {
        const fields = { ...(await body.valid()) };
        for (const f of body.text) fields[f] = sink;
        const reply = await api.post(body.path(), fields);
        const saved = body.saved ?? 201;
        expect({ status: reply.status, body: reply.status === saved ? null : reply.body }).toEqual({
          status: saved,
          body: null,
        });
        const stored = await body.stored(reply.body.id as number);
        for (const f of body.text) expect({ [f]: stored[f] }).toEqual({ [f]: sink });
        for (const f of body.text.filter((x) => x in reply.body))
          expect({ [f]: reply.body[f] }).toEqual({ [f]: sink });
      }

      const long = { ...(await body.valid()) };
      for (const f of body.text) long[f] = LONG;
      const longReply = await api.post(body.path(), long);
      expect([body.saved ?? 201, 422]).toContain(longReply.status);

      const nul = { ...(await body.valid()) };
      for (const f of body.text) nul[f] = WITH_NUL;
      const nulReply = await api.post(body.path(), nul);
      expect(nulReply.status).toBeGreaterThanOrEqual(400);
      expect(nulReply.status).toBeLessThan(500);

      // A lone surrogate is what JSON can say that is not Unicode text.
      const lone = { ...(await body.valid()) };
      for (const f of body.text) lone[f] = 'a\ud800b';
      const loneReply = await api.post(body.path(), lone);
      expect(loneReply.status).toBe(422);
      for (const f of body.text)
        expect(loneReply.body.details).toContainEqual({
          field: f,
          message: '包含无法识别的字符，请重新输入。',
        });

      // Fields with a format refuse the sink, each named.
      const checked = body.checked ?? [];
      const bad = { ...(await body.valid()) };
      for (const f of checked) bad[f] = SINK;
      const refused = checked.length ? await api.post(body.path(), bad) : { status: 422, body: {} };
      expect(refused.status).toBe(422);
      for (const f of checked) expect(JSON.stringify(refused.body)).toContain(f);
    });
  }
});

/**
 * Query strings (filters, searches, cursors, dates in an address): the sink is sent in each, and the
 * answer is never a server error and never carries the sink as markup. `{}` stands for the sink.
 */
const QUERIES: { covers: string[]; path: () => string }[] = [
  {
    covers: [
      'CustomerFilterDto.q',
      'CustomerFilterDto.owner',
      'CustomerFilterDto.province',
      'CustomerFilterDto.city',
      'CustomerFilterDto.tag',
    ],
    path: () => '/customers?q={}&owner={}&province={}&city={}&tag={}',
  },
  { covers: ['CustomerFilterDto.after'], path: () => '/customers?after={}' },
  { covers: ['CustomerFilterDto.before'], path: () => '/customers?before={}' },
  { covers: [], path: () => '/customers/export?format=csv&q={}&tag={}' },
  {
    covers: ['OpportunityFilterDto.q', 'OpportunityFilterDto.owner'],
    path: () => '/opportunities?view=list&q={}&owner={}',
  },
  { covers: ['OpportunityFilterDto.after'], path: () => '/opportunities?view=list&after={}' },
  { covers: ['OpportunityFilterDto.before'], path: () => '/opportunities?view=list&before={}' },
  { covers: ['ContractFilterDto.q', 'ContractFilterDto.owner'], path: () => '/contracts?q={}&owner={}' },
  { covers: ['ContractFilterDto.after'], path: () => '/contracts?after={}' },
  { covers: ['ContractFilterDto.before'], path: () => '/contracts?before={}' },
  { covers: [], path: () => '/tickets?q={}' },
  { covers: ['TicketQueueQueryDto.after'], path: () => '/tickets?after={}' },
  { covers: ['TicketQueueQueryDto.before'], path: () => '/tickets?before={}' },
  { covers: ['DashboardFilterDto.from', 'DashboardFilterDto.to'], path: () => '/dashboard?from={}&to={}' },
  { covers: ['DashboardFormDto.shown'], path: () => '/dashboard/filter?from={}&shown={}' },
  {
    covers: ['DrillFilterDto.dim1', 'DrillFilterDto.dim2'],
    path: () => '/dashboard/drill/new_customers?dim1={}&dim2={}',
  },
  {
    covers: ['FollowUpFormQueryDto.q', 'FollowUpFormQueryDto.returnTo'],
    path: () => '/follow-ups/new?q={}&returnTo={}',
  },
  { covers: ['MergeQueryDto.q'], path: () => `/customers/${ids.customer}/merge?q={}` },
  { covers: ['NewTicketQueryDto.customerQ'], path: () => '/tickets/new?customerQ={}' },
  { covers: ['OpportunityFormQueryDto.q'], path: () => '/opportunities/new?q={}' },
  { covers: ['ContractFormQueryDto.q'], path: () => '/contracts/new?q={}' },
  { covers: ['TicketShowQueryDto.relinkQ'], path: () => `/tickets/${ids.ticket}?relinkQ={}` },
  { covers: ['CalendarPreviewDto.from'], path: () => '/admin/calendar?from={}' },
  { covers: ['LoginDto.returnTo'], path: () => '/login?returnTo={}' },
  {
    covers: [
      'CustomerApiQuery.q',
      'CustomerApiQuery.owner',
      'CustomerApiQuery.province',
      'CustomerApiQuery.city',
      'CustomerApiQuery.tag',
    ],
    path: () => '/api/v1/customers?q={}&owner={}&province={}&city={}&tag={}',
  },
  { covers: ['ApiPageQuery.cursor', 'CustomerApiQuery.cursor'], path: () => '/api/v1/customers?cursor={}' },
  { covers: ['ContactApiQuery.q', 'ContactApiQuery.cursor'], path: () => '/api/v1/contacts?q={}&cursor={}' },
  { covers: ['OpportunityApiQuery.cursor'], path: () => '/api/v1/opportunities?cursor={}' },
  { covers: ['QuoteApiQuery.cursor'], path: () => '/api/v1/quotes?cursor={}' },
  { covers: ['ContractApiQuery.cursor'], path: () => '/api/v1/contracts?cursor={}' },
  { covers: ['TicketApiQuery.cursor'], path: () => '/api/v1/tickets?cursor={}' },
  { covers: ['FollowUpApiQuery.cursor'], path: () => '/api/v1/follow-ups?cursor={}' },
  { covers: ['KpiApiQuery.from', 'KpiApiQuery.to'], path: () => '/api/v1/kpis?from={}&to={}' },
  { covers: ['CalendarDueQuery.from'], path: () => '/api/v1/calendar/due?from={}&minutes=60' },
];

/** Fields no hostile text is sent to here, each with the reason. */
const NOT_SENT: Record<string, string> = {
  'LoginDto.email': 'auth.test.ts and login-throttling.test.ts: any address signs no one in',
  'LoginDto.password': 'a password is compared with a hash, never stored or shown',
  'UserDto.password': 'hashed (argon2), never stored or shown',
  'PasswordResetDto.password': 'hashed, never stored or shown',
  'ChangePasswordDto.currentPassword': 'compared with a hash, never stored or shown',
  'ChangePasswordDto.newPassword': 'hashed, never stored or shown',
  'ChangePasswordDto.confirmPassword': 'compared, never stored or shown',
  'ForgotPasswordDto.email': 'answered alike for any address, never shown (password-reset.test.ts)',
  'NewPasswordDto.password': 'hashed (argon2), never stored or shown (password-reset.test.ts)',
  'NewPasswordDto.confirmPassword': 'compared, never stored or shown',
  'LocaleDto.returnTo': 'a redirect target: auth.test.ts and flash.spec.ts keep it inside the site',
  'BulkOwnerDto.returnTo': 'a redirect target (safeReturnTo, flash.spec.ts)',
  'DecideDto.returnTo': 'a redirect target (safeReturnTo, flash.spec.ts)',
  'StageChangeDto.returnTo': 'a redirect target (safeReturnTo, flash.spec.ts)',
  'TicketBulkAssignDto.returnTo': 'a redirect target (safeReturnTo, flash.spec.ts)',
  'FollowUpDto.returnTo': 'a redirect target (safeReturnTo, flash.spec.ts)',
  'PortalTicketDto.website': 'the honeypot: a filled one drops the request (portal.test.ts)',
  'QuoteFieldsDto._addLine': 'a button, not stored: adds a line to the form',
  'ContractFieldsDto._addLine': 'a button, not stored: adds lines to the form',
  'CustomerDto.duplicateReason': 'sent with every customer above ("测试"); kept in the audit trail only',
  'DeactivateDto.handOverTo': 'a user id chosen from a list (hand-over.test.ts)',
  'TicketMergeDto.intoNumber': 'a ticket number looked up, never stored (tickets-flow.test.ts)',
  'EraseDto.confirmName': 'compared with the person’s name, never stored (privacy.test.ts)',
  'InstallmentDto.id':
    'a hidden id of a stored installment: the plan below is split afresh (rows without ids)',
};

/** Checks a page shows the sink as text: no markup of it runs, and its escaped form is there. */
function expectEscaped(what: string, html: string): void {
  for (const raw of RAW_MARKUP) expect(html.includes(raw), `${what} holds ${raw}`).toBe(false);
  expect(
    ESCAPED_MARKUP.some((re) => re.test(html)),
    `${what} shows the hostile text escaped`,
  ).toBe(true);
}

describe('hostile text shown as text', () => {
  it('on the lists, the 360° page, the record pages and the dashboard', async () => {
    expect(
      shown.customer &&
        shown.opportunity &&
        shown.quote &&
        shown.contract &&
        shown.ticket &&
        shown.decision &&
        shown.apiDecision,
    ).toBeTruthy();
    // Every page that shows a record holding the sink, and pages that list them.
    const pages = [
      '/customers',
      `/customers?q=${encodeURIComponent('<script>')}`,
      `/customers/${shown.customer}`,
      `/customers/${ids.customer}`,
      '/opportunities',
      '/opportunities?view=list',
      `/opportunities/${shown.opportunity}`,
      `/quotes/${shown.quote}`,
      `/quotes/${shown.quote}/print`,
      '/contracts',
      `/contracts/${shown.contract}`,
      `/contracts/${shown.contract}/print`,
      // The approval rounds, with the approvers' comments (the page, and through the API).
      `/contracts/${shown.decision}`,
      `/contracts/${shown.apiDecision}`,
      '/tickets',
      `/tickets/${shown.ticket}`,
      `/tickets/${ids.ticket}`,
      `/tickets/${ids.portalTicket}`,
      '/dashboard',
      '/dashboard/drill/new_customers',
      '/audit',
      '/admin/users',
      '/admin/teams',
      '/admin/webhooks',
      '/admin/tickets',
      '/admin/calendar?year=2027',
      '/admin/settings',
      '/account/tokens',
    ];
    const seen = [];
    for (const path of pages) {
      const page = await c.get(path);
      seen.push({
        path,
        status: page.status,
        raw: RAW_MARKUP.filter((raw) => page.text.includes(raw)),
        escaped: ESCAPED_MARKUP.some((re) => re.test(page.text)),
      });
    }
    // What the requester sees of their ticket, signed in nowhere.
    const portal = await anonymous().get(`/portal/tickets/${ids.trackingToken}`);
    seen.push({
      path: 'portal',
      status: portal.status,
      raw: RAW_MARKUP.filter((raw) => portal.text.includes(raw)),
      escaped: ESCAPED_MARKUP.some((re) => re.test(portal.text)),
    });
    expect(seen).toEqual([...pages, 'portal'].map((path) => ({ path, status: 200, raw: [], escaped: true })));
  });

  it('in every filter, search and cursor of an address, never a server error', async () => {
    for (const query of QUERIES) {
      const path = query.path().replaceAll('{}', encodeURIComponent(SINK));
      // JSON (served as such, never sniffed) may quote what it was sent; a page shows it escaped.
      const reply = path.startsWith('/api/') ? await api.get(path) : await c.get(path);
      expect({ path, status: reply.status }).toEqual({
        path,
        status: expect.toSatisfy((s: number) => s < 500),
      });
      const html = 'text' in reply ? reply.text : '';
      for (const raw of RAW_MARKUP) expect(html.includes(raw), path).toBe(false);
    }
  });

  it('in CSV and XLSX exports, whole and with no formula to run', async () => {
    const cookie = `kehu.sid=${c.sessionId}`;
    const csv = await fetch(`${t.url}/customers/export?format=csv`, {
      headers: { cookie },
    });
    expect(csv.status).toBe(200);
    const rows = parse((await csv.text()).replace(/^\ufeff/, ''), { relax_column_count: true }) as string[][];
    const cells = rows.flat();
    // The names as stored: each sink, and the broken bytes sent after it.
    expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(SINKS.map((sink) => `'${sink}${BROKEN}`)));
    for (const cell of cells)
      expect(
        FORMULA_PREFIXES.some((p) => cell.startsWith(p)),
        cell,
      ).toBe(false);

    const xlsx = await fetch(`${t.url}/customers/export?format=xlsx`, {
      headers: { cookie },
    });
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(await xlsx.arrayBuffer()).buffer);
    const values: string[] = [];
    book.worksheets[0].eachRow((r) => r.eachCell((cell) => values.push(String(cell.value as string))));
    // XML cannot hold most control characters (nor, in exceljs, DEL): the workbook leaves them out
    // and keeps the rest.
    // eslint-disable-next-line no-control-regex
    const inXml = (text: string) => text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
    for (const sink of SINKS) expect(values).toContain(`'${inXml(sink + BROKEN)}`);
  });

  it('in e-mails: the acknowledgement of a portal request', async () => {
    const email = `hostile.${Date.now()}@yunfan.cn`;
    const portal = anonymous();
    await portal.get('/portal/tickets/new');
    const reply = await portal.post('/portal/tickets/new', {
      name: SINK,
      company: '',
      email,
      type: 'technical',
      subject: SINK,
      description: SINK,
      website: '',
    });
    expect(reply.status).toBe(303);
    const mail = await eventually(async () => {
      const found = smtp.received.find((m) => m.to.includes(email));
      expect(found).toBeDefined();
      return found!;
    }, 20_000);
    const parsed = await simpleParser(mail.raw);
    const html = String(parsed.html);
    expectEscaped('the acknowledgement', html);
    // The plain-text part holds the text as typed.
    expect(parsed.text).toContain('<script>alert(1)</script>');
  });

  it('in e-mails: an approver’s comment, told to the requester', async () => {
    // The admin asked for the approvals above and decided them: the outcome's mail quotes the comment.
    const mails = await eventually(async () => {
      const parsed = await Promise.all(
        smtp.received.filter((m) => m.to.includes(admin.email)).map((m) => simpleParser(m.raw)),
      );
      const quoting = parsed.filter((m) => String(m.html).includes('alert(1)'));
      // One from the contract's page, one through the API.
      expect(quoting.length).toBeGreaterThanOrEqual(2);
      return quoting;
    }, 20_000);
    for (const mail of mails) {
      expectEscaped(`the mail “${mail.subject}”`, String(mail.html));
      expect(mail.text).toContain('<script>alert(1)</script>');
    }
  });
});

describe('security headers on every page', () => {
  /** GET routes that take parameters, with a value from a real record (or one that does not exist). */
  async function examples(): Promise<Record<string, string>> {
    const one = async (sql: string) => String((await t.db.query(sql)).rows[0]?.id ?? 999999);
    return {
      id: '',
      contactId: await one(`SELECT id FROM contact ORDER BY id LIMIT 1`),
      token: 'no-such-token',
      kind: 'contacts',
      figure: 'new_customers',
      roundId: '1',
      deliveryId: '1',
    };
  }
  /** The record id a route's `:id` takes, by the route's first segment. */
  async function idFor(path: string): Promise<string> {
    const table: [RegExp, string][] = [
      [/^\/customers\/import/, `SELECT id FROM customer_import LIMIT 1`],
      [/^\/customers\/:id\/contacts/, `SELECT customer_id AS id FROM contact ORDER BY id LIMIT 1`],
      [/^\/customers/, `SELECT ${shown.customer || ids.customer} AS id`],
      [/^\/opportunities/, `SELECT ${ids.opportunity} AS id`],
      [/^\/quotes/, `SELECT ${shown.quote} AS id`],
      [/^\/contracts/, `SELECT ${shown.contract} AS id`],
      [/^\/tickets/, `SELECT ${shown.ticket} AS id`],
      [/^\/follow-ups/, `SELECT ${shown.followUp} AS id`],
      [/^\/admin\/users/, `SELECT ${admin.id} AS id`],
      [/^\/admin\/teams/, `SELECT ${teamId} AS id`],
      [/^\/admin\/outbox/, `SELECT id FROM outbox_mail ORDER BY id LIMIT 1`],
      [/^\/admin\/webhooks/, `SELECT id FROM webhook_endpoint ORDER BY id LIMIT 1`],
      [/^\/admin\/privacy/, `SELECT id FROM contact ORDER BY id LIMIT 1`],
      [/^\/attachments/, `SELECT id FROM attachment ORDER BY id LIMIT 1`],
    ];
    for (const [re, sql] of table) {
      if (re.test(path))
        return String((await t.db.query(sql).catch(() => ({ rows: [] }))).rows[0]?.id ?? 999999);
    }
    return '999999';
  }

  it('CSP with frame-ancestors, nosniff, Referrer-Policy, and no-store when signed in', async () => {
    const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router;
    interface Layer {
      route?: { path: string; methods: Record<string, boolean> };
    }
    const routes = router.stack
      .filter((l) => l.route?.methods.get && !l.route.path.startsWith('/api/'))
      .map((l) => l.route!.path);
    expect(routes.length).toBeGreaterThan(40);
    const values = await examples();
    const paths: string[] = [];
    for (const route of routes) {
      let path = route;
      for (const [name, value] of Object.entries(values))
        if (name !== 'id') path = path.replace(`:${name}`, value);
      if (path.includes(':id')) path = path.replace(':id', await idFor(route));
      expect(path, `a value for every parameter of ${route}`).not.toMatch(/:\w/);
      paths.push(path);
    }
    const guest = anonymous();
    const checked: string[] = [];
    const check = async (who: 'admin' | 'anonymous', path: string) => {
      const res = await (who === 'admin' ? c : guest).get(path);
      const h = res.headers;
      const where = `${who} GET ${path} (${res.status})`;
      expect(res.status, where).toBeLessThan(500);
      expect(h.get('content-security-policy'), where).toMatch(/frame-ancestors 'none'/);
      expect(h.get('content-security-policy'), where).toMatch(/script-src 'self'/);
      expect(h.get('x-content-type-options'), where).toBe('nosniff');
      expect(h.get('referrer-policy'), where).toBe('same-origin');
      // Signed in, never kept by a browser or a proxy.
      expect(h.get('cache-control') ?? '', where).toMatch(who === 'admin' ? /no-store/ : /^/);
      checked.push(where);
    };
    // A few at a time, as a browser loads pages.
    // Signed out, the public pages and a private one (which sends to the login page): the headers
    // are set before any route, so every other address answers the same way.
    const publicPaths = paths.filter((p) => /^\/(login|portal|survey|unsubscribe)/.test(p));
    expect(publicPaths.length).toBeGreaterThan(4);
    const jobs = [
      ...paths.map((path) => () => check('admin', path)),
      ...[...publicPaths, '/customers', '/dashboard'].map((path) => () => check('anonymous', path)),
    ];
    for (let i = 0; i < jobs.length; i += 6) await Promise.all(jobs.slice(i, i + 6).map((job) => job()));
    expect(checked.length).toBe(jobs.length);
  });
});

describe('uploads that are not what they say', () => {
  const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(512, 0x41)]);
  const PE = Buffer.concat([
    Buffer.from('MZ'),
    Buffer.alloc(64, 0),
    Buffer.from('This program cannot be run in DOS mode.'),
  ]);

  /** The peak resident memory of this process (which runs the app) so far, in MB. */
  const peakMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

  async function importFile(name: string, content: Buffer): Promise<Reply> {
    await c.get('/customers/import');
    return c.upload('/customers/import', { name, content });
  }

  async function expectRefused(reply: Reply, words: RegExp) {
    expect(outcome(reply)).toMatchObject({ status: 422 });
    expect(visibleText(reply.text)).toMatch(words);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  }

  it('a program renamed .xlsx or .csv is refused as an import', async () => {
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM customer_import`)).rows[0].n;
    for (const [name, bytes] of [
      ['客户.xlsx', ELF],
      ['客户.csv', ELF],
      ['客户.csv', PE],
    ] as const) {
      const reply = await importFile(name, bytes);
      await expectRefused(reply, /./);
      expect(refusalMessages(reply.text), name).toContain(
        '无法读取该文件。请上传 .xlsx 工作簿或 .csv 文件。',
      );
    }
    expect((await t.db.query(`SELECT count(*)::int AS n FROM customer_import`)).rows[0].n).toBe(before);
  });

  it('a program renamed .pdf is refused as a contract attachment', async () => {
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM attachment`)).rows[0].n;
    await c.get(`/contracts/${shown.contract}`);
    const reply = await c.upload(`/contracts/${shown.contract}/attachments`, {
      name: '合同扫描件.pdf',
      content: PE,
      type: 'application/pdf',
    });
    await expectRefused(reply, /./);
    console.log('attach', refusalMessages(reply.text));
    expect(refusalMessages(reply.text).some(inChinese)).toBe(true);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM attachment`)).rows[0].n).toBe(before);
  });

  it('entities in a workbook: billion laughs and an external file are refused, nothing read', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join(
        '',
      ) +
      ']>';
    const external = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
    const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
    const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    for (const [name, doctype, entity] of [
      ['laughs.xlsx', laughs, '&lol9;'],
      ['external.xlsx', external, '&xxe;'],
    ]) {
      const path = join(fixtures, name);
      await writeZip(path, {
        '[Content_Types].xml': text(
          '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        ),
        'xl/workbook.xml': text(
          `<?xml version="1.0"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
        ),
        'xl/_rels/workbook.xml.rels': text(
          `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
        ),
        'xl/worksheets/sheet1.xml': text(
          `${doctype}<worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>${entity}</t></is></c></row></sheetData></worksheet>`,
        ),
      });
      const reply = await importFile(name, readFileSync(path));
      await expectRefused(reply, /./);
      console.log(name, refusalMessages(reply.text));
      expect(reply.text).not.toContain('root:');
      expect(reply.text).not.toContain('lollol');
    }
  });

  it('a million-row CSV is refused at the row limit, within the memory budget', async () => {
    const before = peakMb();
    const rows = Array.from({ length: 1_000_000 }, (_, i) => `公司${i}`);
    const reply = await importFile('million.csv', Buffer.from(`名称\n${rows.join('\n')}\n`));
    await expectRefused(reply, /200,000/);
    // The app runs in this process: what reading the file added to its peak.
    expect(peakMb() - before).toBeLessThan(200);
  }, 60_000);
});

import { createHash } from 'node:crypto';
import { CustomerCareService } from '../../src/customers/customer-care.service.js';
import { ApiClient } from './api.js';
import { signedIn, type TestApp } from './app.js';
import { Client } from './client.js';
import { createContact, createCustomer, createTeam, createUser, type UserRow } from './factories.js';
import { createSurvey, createTicket } from './tickets.js';

/**
 * The people an authorization test asks as: nobody signed in, the admin, the manager of team East, a
 * sales rep of East (who owns the records), a service agent of East, and the manager of team West
 * (a user of another team).
 */
export const WHO = ['anon', 'admin', 'manager', 'sales', 'service', 'other'] as const;
export type Who = (typeof WHO)[number];
export type Staff = Exclude<Who, 'anon'>;

let counter = 0;
const unique = () => `${process.pid}-${++counter}`;

/** A small company of two teams, with records of the East rep, and ways to make more of them. */
export class World {
  users!: Record<Staff, UserRow> & { rep2: UserRow; westRep: UserRow };
  pages!: Record<Who, Client>;
  api!: Record<Who, ApiClient>;
  east!: number;
  west!: number;

  constructor(readonly t: TestApp) {}

  get db() {
    return this.t.db;
  }

  static async make(t: TestApp): Promise<World> {
    const w = new World(t);
    w.east = await createTeam(t.db, `East ${unique()}`);
    w.west = await createTeam(t.db, `West ${unique()}`);
    w.users = {
      admin: await createUser(t.db, { role: 'admin', name: 'Authz Admin' }),
      manager: await createUser(t.db, { role: 'manager', teamId: w.east, name: 'East Manager' }),
      sales: await createUser(t.db, { role: 'sales', teamId: w.east, name: 'East Rep' }),
      service: await createUser(t.db, { role: 'service', teamId: w.east, name: 'East Agent' }),
      other: await createUser(t.db, { role: 'manager', teamId: w.west, name: 'West Manager' }),
      rep2: await createUser(t.db, { role: 'sales', teamId: w.east, name: 'East Rep Two' }),
      westRep: await createUser(t.db, { role: 'sales', teamId: w.west, name: 'West Rep' }),
    };
    await t.db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [w.east, w.users.manager.id]);
    await t.db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [w.west, w.users.other.id]);
    const anon = new Client(t.url);
    await anon.get('/login'); // a guest's session, holding a CSRF token
    w.pages = { anon } as Record<Who, Client>;
    w.api = { anon: new ApiClient(t.url, 'kehu_none') } as Record<Who, ApiClient>;
    await Promise.all(
      WHO.filter((who): who is Staff => who !== 'anon').map(async (who) => {
        w.pages[who] = await signedIn(t, w.users[who]);
        const made = await w.pages[who].submit('/account/tokens', { name: `matrix ${who}` });
        const token = /<code class="token">([^<]+)<\/code>/.exec(made.text)?.[1];
        if (!token) throw new Error(`no token for ${who}: ${made.status}`);
        w.api[who] = new ApiClient(t.url, token);
      }),
    );
    return w;
  }

  /** A page client signed in afresh (for routes that end the session). */
  async freshPage(who: Staff): Promise<Client> {
    return signedIn(this.t, this.users[who]);
  }

  async customer(fields: { ownerId?: number | null; name?: string } = {}): Promise<number> {
    const ownerId = fields.ownerId === undefined ? this.users.sales.id : fields.ownerId;
    return createCustomer(this.db, { ownerId, name: fields.name ?? `授权测试客户 ${unique()}` });
  }

  async contact(customerId: number, name = `联系人 ${unique()}`): Promise<number> {
    return createContact(this.db, customerId, name);
  }

  async deal(
    customerId: number,
    fields: { ownerId?: number; stage?: string; title?: string } = {},
  ): Promise<number> {
    const stage = fields.stage ?? 'proposal';
    const closed = stage === 'won' || stage === 'lost';
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, closed_at, lost_reason, version)
       VALUES ($1, $2, $3, $4, 120000, $5, '2099-03-31', $6, CASE WHEN $4 = 'lost' THEN 'price' END, 1) RETURNING id`,
      [
        customerId,
        fields.ownerId ?? this.users.sales.id,
        fields.title ?? `授权测试商机 ${unique()}`,
        stage,
        stage === 'won' ? 100 : stage === 'lost' ? 0 : 50,
        closed ? new Date() : null,
      ],
    );
    return rows[0].id;
  }

  async followUp(customerId: number, fields: { authorId?: number; summary?: string } = {}): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, version)
       VALUES ($1, $2, 'phone', now() - interval '1 hour', $3, 1) RETURNING id`,
      [customerId, fields.authorId ?? this.users.sales.id, fields.summary ?? `授权测试跟进 ${unique()}`],
    );
    return rows[0].id;
  }

  /** A draft quote on `dealId` of one line (¥1,000.00 before tax), its deal's owner's. */
  async quote(dealId: number): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO quote (number, opportunity_id, customer_id, owner_id, status, tax_rate, prices_include_tax, valid_until,
         list_total, subtotal, discount_amount, net, tax, total, version)
       SELECT $2, o.id, o.customer_id, o.owner_id, 'draft', 13, false, '2099-12-31', 1000, 1000, 0, 1000, 130, 1130, 1
         FROM opportunity o WHERE o.id = $1 RETURNING id`,
      [dealId, `BJ-T${process.pid}-${unique()}`],
    );
    await this.db.query(
      `INSERT INTO quote_line (quote_id, position, item_name, quantity, unit_price, line_total) VALUES ($1, 1, '服务器', 1, 1000, 1000)`,
      [rows[0].id],
    );
    return rows[0].id;
  }

  /** A contract of one line (¥1,000.00) on the customer, its owner's unless told, in `status`. */
  async contract(
    customerId: number,
    fields: { status?: string; title?: string; ownerId?: number } = {},
  ): Promise<number> {
    const status = fields.status ?? 'draft';
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, start_on, end_on, signed_on, version)
       SELECT $2, c.id, c.name, COALESCE($3, c.owner_id), $4, 1000, $5, '2027-01-01', '2027-12-31',
              CASE WHEN $5 IN ('signed', 'completed', 'terminated') THEN current_date END, 1
         FROM customer c WHERE c.id = $1 RETURNING id`,
      [
        customerId,
        `HT-T${process.pid}-${unique()}`,
        fields.ownerId ?? null,
        fields.title ?? `授权测试合同 ${unique()}`,
        status,
      ],
    );
    await this.db.query(
      `INSERT INTO contract_line (contract_id, position, item, unit, quantity, unit_price, line_total) VALUES ($1, 1, '服务器', '台', 1, 1000, 1000)`,
      [rows[0].id],
    );
    return rows[0].id;
  }

  /** A payment plan of one installment for the contract's whole amount; answers the contract's id. */
  async plan(contractId: number): Promise<number> {
    await this.db.query('INSERT INTO payment_plan (contract_id, version) VALUES ($1, 1)', [contractId]);
    await this.db.query(
      `INSERT INTO payment_installment (contract_id, position, due_on, amount)
       SELECT id, 1, current_date + 30, amount FROM contract WHERE id = $1`,
      [contractId],
    );
    return contractId;
  }

  async payment(contractId: number): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO payment (contract_id, received_on, amount, method, recorded_by_id) VALUES ($1, current_date, 100, 'bank_transfer', $2) RETURNING id`,
      [contractId, this.users.sales.id],
    );
    return rows[0].id;
  }

  /** An invoice recorded against a signed contract: its id. */
  async invoice(contractId: number): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO invoice (contract_id, number, issued_on, amount, type, tax_rate, recorded_by_id)
       VALUES ($1, 'FP-' || $1::int || '-' || (SELECT count(*) FROM invoice), current_date, 100, 'vat_general', 6, $2)
       RETURNING id`,
      [contractId, this.users.sales.id],
    );
    return rows[0].id;
  }

  /** A contract sent for approval through the API: its approval round's id. */
  async approvalRound(contractId: number, as: ApiClient = this.api.sales): Promise<number> {
    const sent = await as.post(`/api/v1/contracts/${contractId}/submit`, { version: 1 });
    if (sent.status >= 300) throw new Error(`submit: ${sent.status} ${JSON.stringify(sent.body)}`);
    const { rows } = await this.db.query<{ id: number }>(
      `SELECT id FROM approval_round WHERE subject_kind = 'contract' AND subject_id = $1 ORDER BY id DESC LIMIT 1`,
      [contractId],
    );
    return rows[0].id;
  }

  async ticket(
    customerId: number,
    fields: { teamId?: number | null; status?: string; subject?: string; assigneeId?: number | null } = {},
  ): Promise<{ id: number; number: string; token: string }> {
    return createTicket(this.db, {
      customerId,
      teamId: fields.teamId === undefined ? this.east : fields.teamId,
      status: fields.status ?? 'open',
      subject: fields.subject ?? `授权测试工单 ${unique()}`,
      assigneeId: fields.assigneeId ?? null,
    });
  }

  survey(ticket: { id: number; customerId: number }): Promise<string> {
    return createSurvey(this.db, ticket);
  }

  /** A file on a record (`contract` id, or `ticket_message` id), stored as Kehu stores one. */
  async attachment(ownerKind: string, ownerId: number, text = `file ${unique()}`): Promise<number> {
    const bytes = Buffer.from(text);
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO attachment (owner_kind, owner_id, file_name, content_type, size, sha256, bytes, uploaded_by_id)
       VALUES ($1, $2, $3, 'text/plain', $4, $5, $6, $7) RETURNING id`,
      [
        ownerKind,
        ownerId,
        `授权测试附件-${unique()}.txt`,
        bytes.length,
        createHash('sha256').update(bytes).digest('hex'),
        bytes,
        this.users.sales.id,
      ],
    );
    return rows[0].id;
  }

  async firstMessageOf(ticketId: number): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      'SELECT id FROM ticket_message WHERE ticket_id = $1 ORDER BY id LIMIT 1',
      [ticketId],
    );
    return rows[0].id;
  }

  async task(assigneeId = this.users.sales.id, sourceId = 0): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO task (assignee_id, due_on, kind, source_kind, source_id, title, version)
       VALUES ($1, current_date, 'follow_up', 'customer', $2, $3, 1) RETURNING id`,
      [assigneeId, sourceId, `授权测试任务 ${unique()}`],
    );
    return rows[0].id;
  }

  async notification(userId = this.users.sales.id): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO notification (user_id, kind, params, link) VALUES ($1, 'password_reset', '{}', '/') RETURNING id`,
      [userId],
    );
    return rows[0].id;
  }

  /** A personal API token of `who` (made on their page): its row id. */
  async tokenId(who: Staff = 'sales'): Promise<number> {
    const made = await this.pages[who].submit('/account/tokens', { name: `spare ${unique()}` });
    if (made.status !== 201) throw new Error(`making a token answered ${made.status}`);
    const { rows } = await this.db.query<{ id: number }>(
      'SELECT id FROM api_token WHERE user_id = $1 ORDER BY id DESC LIMIT 1',
      [this.users[who].id],
    );
    return rows[0].id;
  }

  /** An import the rep (or the user signed in on `c`) started by uploading a small CSV: its id. */
  async importId(c: Client = this.pages.sales): Promise<string> {
    await c.get('/customers/import');
    const sent = await c.upload('/customers/import', {
      name: 'customers.csv',
      content: `名称,手机\n导入测试 ${unique()} 有限公司,13800000000\n`,
      type: 'text/csv',
    });
    const id = /\/customers\/import\/([0-9a-f-]{36})/.exec(sent.location ?? '')?.[1];
    if (!id) throw new Error(`import upload answered ${sent.status} ${sent.location}`);
    return id;
  }

  async outboxMail(): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO outbox_mail ("to", subject, text, html) VALUES ('x@example.com', 'Hello', 'Hello', '<p>Hello</p>') RETURNING id`,
    );
    return rows[0].id;
  }

  /** A webhook endpoint with one delivery of a customer.created event. */
  async webhook(): Promise<{ id: number; deliveryId: number }> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version, created_by_id)
       VALUES ('http://127.0.0.1:9/hooks', '{customer.created}', 'secret', true, true, 1, $1) RETURNING id`,
      [this.users.admin.id],
    );
    const event = await this.db.query<{ id: string }>(
      `INSERT INTO webhook_event (id, type, occurred_at, data) VALUES (gen_random_uuid(), 'customer.created', now(), '{"id": 0}') RETURNING id`,
    );
    const delivery = await this.db.query<{ id: number }>(
      `INSERT INTO webhook_delivery (endpoint_id, event_id) VALUES ($1, $2) RETURNING id`,
      [rows[0].id, event.rows[0].id],
    );
    return { id: rows[0].id, deliveryId: delivery.rows[0].id };
  }

  async calendarException(): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO calendar_exception (day, kind, name) VALUES ('2090-01-01'::date + $1::int, 'holiday', '假日') RETURNING id`,
      [++counter],
    );
    return rows[0].id;
  }

  async cannedReply(): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      `INSERT INTO canned_reply (title, body, version) VALUES ($1, '您好', 1) RETURNING id`,
      [`模板 ${unique()}`],
    );
    return rows[0].id;
  }

  async victim(): Promise<number> {
    return (await createUser(this.db, { role: 'sales', teamId: this.east })).id;
  }

  unsubscribeToken(contactId: number): string {
    return this.t.app.get(CustomerCareService).unsubscribeToken(contactId);
  }
}

/** One owner's records, named so that a page or answer that shows any of them is caught. */
export interface Records {
  /** Text that appears in these records and nowhere else. */
  secret: string;
  names: string[];
  customer: number;
  contact: number;
  deal: number;
  quote: number;
  contract: number;
  signed: number;
  payment: number;
  invoice: number;
  followUp: number;
  ticket: { id: number; number: string; token: string };
  message: number;
  contractFile: number;
  ticketFile: number;
  survey: string;
  task: number;
  notification: number;
  /** One of the owner's API tokens (its row id). */
  token: number;
  /** A contract of theirs waiting for approval, and its approval round. */
  pending: number;
  round: number;
  /** A customer import the owner started. */
  importId: string;
}

/**
 * Records of `owner` (a rep), their tickets with `teamId`: a customer with a contact, a deal with a
 * quote, a draft and a signed contract with a payment and a file, a follow-up, a ticket with a file,
 * a survey, a task and a notification. Every name carries `secret`.
 */
export async function recordsOf(w: World, owner: UserRow, teamId: number, secret: string): Promise<Records> {
  const c = await signedIn(w.t, owner);
  const made = await c.submit('/account/tokens', { name: 'records' });
  const token = /<code class="token">([^<]+)<\/code>/.exec(made.text)?.[1];
  if (!token) throw new Error(`no token for ${owner.email}`);
  const api = new ApiClient(w.t.url, token);
  const names = {
    customer: `${secret}客户有限公司`,
    contact: `${secret}联系人`,
    deal: `${secret}商机`,
    contract: `${secret}合同`,
    followUp: `${secret}跟进纪要`,
    ticket: `${secret}工单`,
  };
  const customer = await w.customer({ ownerId: owner.id, name: names.customer });
  const contact = await w.contact(customer, names.contact);
  const deal = await w.deal(customer, { ownerId: owner.id, title: names.deal });
  const contract = await w.contract(customer, { title: names.contract });
  const signed = await w.contract(customer, { title: names.contract, status: 'signed' });
  const pending = await w.contract(customer, { title: names.contract });
  const ticket = await w.ticket(customer, { teamId, subject: names.ticket });
  const message = await w.firstMessageOf(ticket.id);
  await w.db.query('UPDATE ticket_message SET body = $2 WHERE id = $1', [message, `${secret}留言`]);
  const mobile = `139${String(process.pid % 10_000).padStart(4, '0')}${String(++counter % 10_000).padStart(4, '0')}`;
  await w.db.query('UPDATE contact SET mobile = $2 WHERE id = $1', [contact, mobile]);
  return {
    secret,
    names: [...Object.values(names), mobile],
    customer,
    contact,
    deal,
    quote: await w.quote(deal),
    contract,
    signed,
    payment: await w.payment(signed),
    invoice: await w.invoice(signed),
    followUp: await w.followUp(customer, { authorId: owner.id, summary: names.followUp }),
    ticket,
    message,
    contractFile: await w.attachment('contract', contract, `${secret} contract file`),
    ticketFile: await w.attachment('ticket_message', message, `${secret} ticket file`),
    survey: await w.survey({ id: ticket.id, customerId: customer }),
    task: await w.task(owner.id, customer),
    notification: await w.notification(owner.id),
    token: (
      await w.db.query<{ id: number }>('SELECT max(id) AS id FROM api_token WHERE user_id = $1', [owner.id])
    ).rows[0].id,
    pending,
    round: await w.approvalRound(pending, api),
    importId: await w.importId(c),
  };
}

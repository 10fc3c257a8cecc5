import type pg from 'pg';
import { createCustomer, createTeam, createUser, type UserRow } from './factories.js';

/**
 * A small company for the dashboard's tests, every row inserted directly: team East (a manager, reps
 * r1 and r2, agent s1) and team West (a manager, rep r3), with customers, deals and their stage
 * history, contracts, installments, payments, follow-ups, tickets and survey answers, mostly in October
 * 2026 (Asia/Shanghai) with a few in September (the previous period) and at the month's edges. The
 * expected figures are worked out by hand in dashboard.test.ts from these rows, not by Kehu's code.
 */
export interface DashboardData {
  east: number;
  west: number;
  manager: UserRow;
  westManager: UserRow;
  admin: UserRow;
  r1: UserRow;
  r2: UserRow;
  r3: UserRow;
  s1: UserRow;
  customers: Record<'c1' | 'c2' | 'c3' | 'c4' | 'c5' | 'c6', number>;
  deals: Record<'o1' | 'o2' | 'o3' | 'o4' | 'o5' | 'o6', number>;
  tickets: Record<'t1' | 't2' | 't3' | 't4', number>;
  contracts: Record<'k1' | 'k2' | 'k3' | 'k4', number>;
}

/** An instant given in Shanghai time: sh('2026-10-05 10:00'). */
export const sh = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`);

let seq = 0;

export async function seedDashboard(db: pg.Pool, prefix = 'D'): Promise<DashboardData> {
  const tag = `${prefix}${process.pid}-${++seq}`;
  const east = await createTeam(db, `East ${tag}`);
  const west = await createTeam(db, `West ${tag}`);
  const manager = await createUser(db, { role: 'manager', teamId: east, name: `经理 Manager ${tag}` });
  const westManager = await createUser(db, { role: 'manager', teamId: west, name: `West boss ${tag}` });
  const admin = await createUser(db, { role: 'admin', name: `Admin ${tag}` });
  const r1 = await createUser(db, { role: 'sales', teamId: east, name: `销售一 Rep1 ${tag}` });
  const r2 = await createUser(db, { role: 'sales', teamId: east, name: `销售二 Rep2 ${tag}` });
  const r3 = await createUser(db, { role: 'sales', teamId: west, name: `West rep ${tag}` });
  const s1 = await createUser(db, { role: 'service', teamId: east, name: `客服 Agent ${tag}` });
  await db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [east, manager.id]);
  await db.query('UPDATE team SET manager_id = $2 WHERE id = $1', [west, westManager.id]);

  const now = Date.now();
  const customer = async (
    name: string,
    ownerId: number,
    createdAt: Date,
    extra: { province?: string; industry?: string; tier?: string; lastInteractionAt?: Date } = {},
  ) => {
    const id = await createCustomer(db, {
      name: `${name} ${tag}`,
      ownerId,
      province: extra.province ?? null,
      lastInteractionAt: extra.lastInteractionAt ?? new Date(now - 86_400_000),
    });
    await db.query('UPDATE customer SET created_at = $2, industry = $3, tier = $4 WHERE id = $1', [
      id,
      createdAt,
      extra.industry ?? null,
      extra.tier ?? 'C',
    ]);
    return id;
  };
  const customers = {
    c1: await customer('华信科技', r1.id, sh('2026-10-05 09:00'), {
      province: '广东省',
      industry: 'I',
      tier: 'A',
      lastInteractionAt: new Date(now - 90 * 86_400_000),
    }),
    c2: await customer('北方制造', r2.id, sh('2026-10-20 09:00'), { province: '北京市', industry: 'C' }),
    c3: await customer('九月客户', r1.id, sh('2026-09-15 09:00'), { province: '广东省', industry: 'I' }),
    c4: await customer('西部公司', r3.id, sh('2026-10-08 09:00'), { province: '四川省', industry: 'C' }),
    // 01:00 on 1 October in Shanghai is still 30 September in UTC: it counts in October.
    c5: await customer('月初客户', r1.id, sh('2026-10-01 01:00')),
    // 00:30 on 1 November in Shanghai is still 31 October in UTC: it does not count in October.
    c6: await customer('月末客户', r2.id, sh('2026-11-01 00:30')),
  };

  const deal = async (
    customerId: number,
    ownerId: number,
    stage: string,
    amount: string,
    fields: { probability?: number; created: Date; closed?: Date; expected?: string; lastActivity?: Date },
    moves: [string | null, string, Date][],
  ) => {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date,
         lost_reason, closed_at, created_at, last_activity_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1) RETURNING id`,
      [
        customerId,
        ownerId,
        `Deal ${stage} ${amount}`,
        stage,
        amount,
        fields.probability ?? (stage === 'won' ? 100 : stage === 'lost' ? 0 : 20),
        fields.expected ?? '2026-12-31',
        stage === 'lost' ? 'price' : null,
        fields.closed ?? null,
        fields.created,
        fields.lastActivity ?? new Date(),
      ],
    );
    for (const [from, to, at] of moves)
      await db.query(
        'INSERT INTO opportunity_stage_change (opportunity_id, from_stage, to_stage, by_id, at) VALUES ($1, $2, $3, $4, $5)',
        [rows[0].id, from, to, ownerId, at],
      );
    return rows[0].id;
  };
  const deals = {
    o1: await deal(
      customers.c1,
      r1.id,
      'won',
      '10000.00',
      { created: sh('2026-09-20 00:00'), closed: sh('2026-10-10 00:00') },
      [
        [null, 'initial_contact', sh('2026-09-20 00:00')],
        ['initial_contact', 'needs_analysis', sh('2026-10-02 10:00')],
        ['needs_analysis', 'proposal', sh('2026-10-05 10:00')],
        ['proposal', 'won', sh('2026-10-10 00:00')],
      ],
    ),
    o2: await deal(
      customers.c2,
      r2.id,
      'won',
      '5000.01',
      { created: sh('2026-10-01 00:00'), closed: sh('2026-10-11 00:00') },
      [
        [null, 'initial_contact', sh('2026-10-01 00:00')],
        ['initial_contact', 'proposal', sh('2026-10-03 10:00')],
        ['proposal', 'won', sh('2026-10-11 00:00')],
      ],
    ),
    o3: await deal(
      customers.c1,
      r1.id,
      'lost',
      '3000.00',
      { created: sh('2026-09-01 00:00'), closed: sh('2026-10-15 12:00') },
      [],
    ),
    o4: await deal(
      customers.c4,
      r3.id,
      'won',
      '99999.00',
      { created: sh('2026-10-02 00:00'), closed: sh('2026-10-12 00:00') },
      [[null, 'initial_contact', sh('2026-10-02 00:00')]],
    ),
    o5: await deal(
      customers.c1,
      r1.id,
      'proposal',
      '20000.00',
      {
        probability: 35,
        created: sh('2026-10-03 00:00'),
        expected: '2026-10-25',
        lastActivity: sh('2026-10-06 10:00'),
      },
      [
        [null, 'initial_contact', sh('2026-10-03 00:00')],
        ['initial_contact', 'needs_analysis', sh('2026-10-04 00:00')],
        ['needs_analysis', 'proposal', sh('2026-10-06 10:00')],
      ],
    ),
    o6: await deal(
      customers.c2,
      r2.id,
      'negotiation',
      '1234.57',
      { probability: 50, created: sh('2026-10-02 00:00'), expected: '2026-10-30' },
      [],
    ),
  };

  const contract = async (
    number: string,
    customerId: number,
    ownerId: number,
    amount: string,
    signedOn: string,
    installments: [string, string, string][],
  ) => {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, signed_on, status, version)
       SELECT $1, id, name, $3, $4, $5, $6, 'signed', 1 FROM customer WHERE id = $2 RETURNING id`,
      [`HT-${tag}-${number}`, customerId, ownerId, `Contract ${number}`, amount, signedOn],
    );
    let position = 0;
    for (const [due, amountDue, collected] of installments)
      await db.query(
        'INSERT INTO payment_installment (contract_id, position, due_on, amount, collected) VALUES ($1, $2, $3, $4, $5)',
        [rows[0].id, ++position, due, amountDue, collected],
      );
    return rows[0].id;
  };
  const contracts = {
    k1: await contract('1', customers.c1, r1.id, '12000.00', '2026-10-12', [
      ['2026-10-20', '6000.00', '6000.00'],
      ['2026-10-28', '6000.00', '1000.00'],
    ]),
    k2: await contract('2', customers.c2, r2.id, '8000.50', '2026-10-15', [['2026-11-15', '8000.50', '0']]),
    k3: await contract('3', customers.c4, r3.id, '50000.00', '2026-10-03', [
      ['2026-10-20', '50000.00', '20000.00'],
    ]),
    k4: await contract('4', customers.c3, r1.id, '3000.00', '2026-09-10', []),
  };
  const payment = async (contractId: number, on: string, amount: string, by: number, reversed = false) =>
    db.query(
      `INSERT INTO payment (contract_id, received_on, amount, method, recorded_by_id, reversed_at, reversed_by_id, reversal_reason)
       VALUES ($1, $2, $3, 'bank_transfer', $4, $5, $6, $7)`,
      [
        contractId,
        on,
        amount,
        by,
        reversed ? new Date() : null,
        reversed ? by : null,
        reversed ? 'entered twice' : null,
      ],
    );
  await payment(contracts.k1, '2026-10-21', '6000.00', r1.id);
  await payment(contracts.k1, '2026-10-29', '1000.00', r1.id);
  await payment(contracts.k1, '2026-10-22', '500.00', r1.id, true);
  await payment(contracts.k3, '2026-10-05', '20000.00', r3.id);

  const followUp = (customerId: number, authorId: number, at: Date) =>
    db.query(
      `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, version) VALUES ($1, $2, 'visit', $3, 'Visited', 1)`,
      [customerId, authorId, at],
    );
  await followUp(customers.c1, r1.id, sh('2026-10-03 10:00'));
  await followUp(customers.c1, r1.id, sh('2026-10-20 10:00'));
  await followUp(customers.c2, r2.id, sh('2026-10-21 10:00'));
  await followUp(customers.c4, r3.id, sh('2026-10-21 10:00'));
  await followUp(customers.c2, r2.id, sh('2026-09-21 10:00'));

  let ticketNo = 0;
  const ticket = async (f: {
    customerId: number;
    channel: string;
    type: string;
    status: string;
    teamId: number;
    assigneeId: number | null;
    received: Date;
    firstDue: Date;
    resolutionDue: Date;
    firstResponded?: Date;
    firstMinutes?: number;
    resolved?: Date;
    resolutionMinutes?: number;
    publicReplies?: number;
  }) => {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
         assignee_id, received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
         resolution_due_at, first_responded_at, first_response_minutes, resolved_at, resolution_minutes,
         public_reply_count, tracking_token, version)
       VALUES ($1, $2, 'Requester', $3, $4, 'normal', $5, $6, $7, $8, $9, 120, 1440, $10, $11, $12, $13, $14, $15, $16, $17, 1)
       RETURNING id`,
      [
        `T-${tag}-${++ticketNo}`,
        f.customerId,
        f.channel,
        f.type,
        f.status,
        `Ticket ${ticketNo}`,
        f.teamId,
        f.assigneeId,
        f.received,
        f.firstDue,
        f.resolutionDue,
        f.firstResponded ?? null,
        f.firstMinutes ?? null,
        f.resolved ?? null,
        f.resolutionMinutes ?? null,
        f.publicReplies ?? 0,
        `tok-${tag}-${ticketNo}`,
      ],
    );
    return rows[0].id;
  };
  const tickets = {
    t1: await ticket({
      customerId: customers.c1,
      channel: 'phone',
      type: 'complaint',
      status: 'resolved',
      teamId: east,
      assigneeId: s1.id,
      received: sh('2026-10-05 10:00'),
      firstDue: sh('2026-10-05 12:00'),
      resolutionDue: sh('2026-10-07 10:00'),
      firstResponded: sh('2026-10-05 10:30'),
      firstMinutes: 30,
      resolved: sh('2026-10-06 10:00'),
      resolutionMinutes: 540,
      publicReplies: 1,
    }),
    t2: await ticket({
      customerId: customers.c2,
      channel: 'email',
      type: 'consultation',
      status: 'closed',
      teamId: east,
      assigneeId: s1.id,
      received: sh('2026-10-10 09:00'),
      firstDue: sh('2026-10-10 10:00'),
      resolutionDue: sh('2026-10-11 09:00'),
      firstResponded: sh('2026-10-10 10:30'),
      firstMinutes: 90,
      resolved: sh('2026-10-12 10:00'),
      resolutionMinutes: 960,
      publicReplies: 3,
    }),
    t3: await ticket({
      customerId: customers.c1,
      channel: 'wechat',
      type: 'complaint',
      status: 'open',
      teamId: east,
      assigneeId: null,
      received: sh('2026-10-25 10:00'),
      firstDue: sh('2026-10-25 12:00'),
      resolutionDue: sh('2026-10-27 10:00'),
    }),
    t4: await ticket({
      customerId: customers.c4,
      channel: 'phone',
      type: 'complaint',
      status: 'open',
      teamId: west,
      assigneeId: null,
      received: sh('2026-10-06 10:00'),
      firstDue: sh('2026-10-06 12:00'),
      resolutionDue: sh('2026-10-08 10:00'),
    }),
  };

  let token = 0;
  const survey = (
    kind: 'ticket' | 'nps',
    customerId: number,
    ticketId: number | null,
    answered: Date,
    scores: { csat?: number; ces?: number; nps?: number },
  ) =>
    db.query(
      `INSERT INTO survey_response (kind, ticket_id, customer_id, sent_to, token, sent_at, expires_at, answered_at, csat, ces, nps)
       VALUES ($1, $2, $3, 'x@example.com', $4, $5, $5::timestamptz + interval '30 days', $5, $6, $7, $8)`,
      [
        kind,
        ticketId,
        customerId,
        `sv-${tag}-${++token}`,
        answered,
        scores.csat ?? null,
        scores.ces ?? null,
        scores.nps ?? null,
      ],
    );
  await survey('ticket', customers.c1, tickets.t1, sh('2026-10-07 10:00'), { csat: 5, ces: 2 });
  await survey('ticket', customers.c2, tickets.t2, sh('2026-10-13 10:00'), { csat: 2 });
  await survey('nps', customers.c1, null, sh('2026-10-20 10:00'), { nps: 10 });
  await survey('nps', customers.c2, null, sh('2026-10-20 11:00'), { nps: 6 });
  await survey('nps', customers.c5, null, sh('2026-10-20 12:00'), { nps: 9 });
  await survey('ticket', customers.c4, tickets.t4, sh('2026-10-09 10:00'), { csat: 1 });

  return { east, west, manager, westManager, admin, r1, r2, r3, s1, customers, deals, tickets, contracts };
}

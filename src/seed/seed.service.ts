import { insertDemoRuleFirings } from './demo-rules.js';
import { randomBytes } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { hashPassword } from '../users/password.js';
import { duplicateKey, searchText } from '../customers/customer-keys.js';
import { type GeneratedDeal, generateCustomer, generateDeal, rng } from './generate.js';
import { SequencesRepository } from '../common/sequences/sequences.repository.js';
import { SequencesService } from '../common/sequences/sequences.service.js';
import type { AppConfig } from '../config/config.js';
import { fromNumeric, splitByRatios, toNumeric } from '../common/money.js';
import { quoteTotals, toDecimal } from '../opportunities/quotes/quote-totals.js';
import { insertDemoTickets, SERVICE_TEAMS } from './demo-tickets.js';
import { insertScaleTickets, scaleContext } from './scale-tickets.js';
import {
  customersActiveOnceSigned,
  customersBeforeTheirTickets,
  insertSalesHistory,
} from './demo-history.js';
import { approvalTitle } from '../approvals/approvals.types.js';

export const DEMO_PASSWORD = 'kehu-demo-2026';
export const DEMO_USERS = [
  { email: 'admin@demo.kehu', name: '王磊 Wang Lei', role: 'admin', team: null, region: null },
  { email: 'manager@demo.kehu', name: '陈静 Chen Jing', role: 'manager', team: 'East', region: null },
  { email: 'sales1@demo.kehu', name: '李明 Li Ming', role: 'sales', team: 'East', region: '北京市' },
  { email: 'sales2@demo.kehu', name: '张伟 Zhang Wei', role: 'sales', team: 'East', region: '上海市' },
  { email: 'sales3@demo.kehu', name: '刘洋 Liu Yang', role: 'sales', team: 'West', region: '广东省' },
  { email: 'service1@demo.kehu', name: '赵敏 Zhao Min', role: 'service', team: '客服一组', region: null },
  { email: 'service2@demo.kehu', name: '周婷 Zhou Ting', role: 'service', team: '客服一组', region: null },
  // The service desk's manager (客服主管, of both service teams) and the technical support agent.
  { email: 'service-lead@demo.kehu', name: '孙丽 Sun Li', role: 'manager', team: '客服一组', region: null },
  { email: 'support1@demo.kehu', name: '吴强 Wu Qiang', role: 'service', team: '技术支持', region: null },
] as const;

const SEED_LOCK = 7_245_002;
const BATCH = 5000;
const DAY = 86_400_000;

/** Demo data on first start, and `--scale N` books of business for benchmarks. */
@Injectable()
export class SeedService {
  private readonly logger = new Logger(SeedService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    // Outside Nest (the seed CLI, the benchmarks) numbers are counted in the default company year.
    @Optional()
    private readonly sequences: SequencesService = new SequencesService(new SequencesRepository(), {
      defaultTimezone: 'Asia/Shanghai',
    } as AppConfig),
  ) {}

  /** Seeds the demo company unless it was seeded before (even if its rows were since changed). Returns whether it did. */
  async seedDemoOnce(customers = 200): Promise<boolean> {
    const hash = await hashPassword(DEMO_PASSWORD);
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
      const [done] = await m.query<unknown[]>(`SELECT 1 FROM seed_run WHERE name = 'demo'`);
      if (done) return false;
      const teams = new Map<string, number>();
      for (const name of ['East', 'West', SERVICE_TEAMS.desk, SERVICE_TEAMS.tech]) {
        const [t] = await m.query<{ id: number }[]>(
          `INSERT INTO team (name, version) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
          [name],
        );
        teams.set(name, t.id);
      }
      const ids = new Map<string, number>();
      for (const u of DEMO_USERS) {
        const [row] = await m.query<{ id: number }[]>(
          `INSERT INTO app_user (email, name, role, team_id, region, locale, password_hash, version) VALUES ($1, $2, $3, $4, $5, 'zh-CN', $6, 1)
           ON CONFLICT (email) DO NOTHING RETURNING id`,
          [u.email, u.name, u.role, u.team ? teams.get(u.team) : null, u.region, hash],
        );
        if (row) ids.set(u.email, row.id);
      }
      await m.query(`UPDATE team SET manager_id = $1 WHERE id = $2`, [
        ids.get('manager@demo.kehu') ?? null,
        teams.get('East'),
      ]);
      await m.query(`UPDATE team SET manager_id = $1 WHERE id = ANY($2)`, [
        ids.get('service-lead@demo.kehu') ?? null,
        [teams.get(SERVICE_TEAMS.desk), teams.get(SERVICE_TEAMS.tech)],
      ]);
      const owners = ['sales1@demo.kehu', 'sales2@demo.kehu', 'sales3@demo.kehu', 'manager@demo.kehu']
        .map((e) => ids.get(e))
        .filter((x) => x !== undefined);
      await this.insertCustomers(m, 0, customers, owners, ids.get('admin@demo.kehu') ?? owners[0]);
      await this.insertDeals(m, owners);
      await this.insertQuotes(m, ids);
      await this.insertContracts(m, owners);
      await this.insertPayments(m, ids.get('service1@demo.kehu') ?? owners[0]);
      // The year behind today, so every figure and chart on the dashboard has months to show.
      await insertSalesHistory(m, () => this.sequences.next(m, 'contract'));
      const agents = (emails: string[]) => emails.map((e) => ids.get(e)).filter((x) => x !== undefined);
      await insertDemoTickets(
        m,
        { desk: teams.get(SERVICE_TEAMS.desk)!, tech: teams.get(SERVICE_TEAMS.tech)! },
        { desk: agents(['service1@demo.kehu', 'service2@demo.kehu']), tech: agents(['support1@demo.kehu']) },
        () => this.sequences.next(m, 'ticket'),
      );
      await customersBeforeTheirTickets(m);
      await customersActiveOnceSigned(m);
      await insertDemoRuleFirings(m, owners);
      await m.query(`INSERT INTO seed_run (name) VALUES ('demo')`);
      this.logger.log(`demo company seeded: ${DEMO_USERS.length} users, ${customers} customers`);
      return true;
    });
  }

  /** Creates an admin with a random password, which it returns; null if the e-mail is taken. */
  async createAdmin(email: string): Promise<string | null> {
    const password = randomBytes(9).toString('base64url');
    const rows = await this.dataSource.query<{ id: number }[]>(
      `INSERT INTO app_user (email, name, role, locale, password_hash, version) VALUES ($1, $2, 'admin', 'zh-CN', $3, 1)
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [email.toLowerCase(), email.split('@')[0], await hashPassword(password)],
    );
    if (!rows.length) return null;
    await this.dataSource.query(
      `INSERT INTO audit_entry (action, entity, entity_id, diff) VALUES ('create', 'user', $1, $2)`,
      [String(rows[0].id), { email: { to: email.toLowerCase() }, role: { to: 'admin' } }],
    );
    return password;
  }

  /**
   * Adds `count` generated customers (with contacts and follow-ups) owned by the existing sales users,
   * and deals on about one customer in four, so the deal list and board can be tried at scale.
   */
  async seedScale(count: number): Promise<void> {
    const users = await this.dataSource.query<{ id: number }[]>(
      `SELECT id FROM app_user WHERE role IN ('sales', 'manager') AND active ORDER BY id`,
    );
    const [{ n }] = await this.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM customer`);
    const owners = users.map((u) => u.id);
    if (!owners.length)
      throw new Error('no sales users to own the customers: start Kehu once to seed the demo company first');
    await this.dataSource.transaction(async (m) => {
      for (let start = 0; start < count; start += BATCH) {
        const first = Number(n) + start;
        const added = await this.insertCustomers(m, first, Math.min(BATCH, count - start), owners, owners[0]);
        await this.insertScaleDeals(m, first, added);
      }
    });
    // The planner's statistics after a bulk load, before anyone lists what was loaded.
    await this.dataSource.query('ANALYZE opportunity');
    await this.dataSource.query('ANALYZE opportunity_stage_change');
  }

  /**
   * Adds generated deals (see generateDeal) until the deal table holds `total`: each on an owned
   * customer drawn at random, owned by the customer's owner, with its stage history, so a customer
   * has several deals as a busier pipeline does. Returns how many deals the table holds afterwards.
   */
  async seedScaleDeals(total: number): Promise<number> {
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM opportunity`,
    );
    if (n >= total) return n;
    const customers = await this.dataSource.query<{ id: number; name: string; ownerId: number }[]>(
      `SELECT id, name, owner_id AS "ownerId" FROM customer
        WHERE owner_id IS NOT NULL AND deleted_at IS NULL ORDER BY id`,
    );
    if (!customers.length) throw new Error('no owned customers to add deals to: seed customers first');
    // A random source of its own, so repeated calls draw other deals.
    const r = rng(31_337 + n);
    await this.dataSource.transaction(async (m) => {
      for (let added = 0; added < total - n; added += BATCH) {
        const deals = Array.from({ length: Math.min(BATCH, total - n - added) }, () => {
          const customer = customers[Math.floor(r() * customers.length)];
          return { customer, deal: generateDeal(customer.name, r) };
        });
        await this.insertGeneratedDeals(m, deals);
      }
    });
    await this.dataSource.query('ANALYZE opportunity');
    await this.dataSource.query('ANALYZE opportunity_stage_change');
    return total;
  }

  /**
   * Adds generated tickets (see insertScaleTickets) until the ticket table holds `total`: on the
   * customers there are, routed by type to the service teams and their agents as the demo company set
   * them up, numbered on from the ticket numbering. Returns how many tickets the table holds afterwards.
   */
  async seedScaleTickets(total: number): Promise<number> {
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ticket`);
    if (n >= total) return n;
    await this.dataSource.transaction(async (m) => {
      const ctx = await scaleContext(m, 'Asia/Shanghai');
      if (!ctx.customers.length || !ctx.routes.size)
        throw new Error('no customers or no ticket routing to add tickets to: seed the demo company first');
      // A random source of its own, so repeated calls draw other tickets.
      const r = rng(7_919 + n);
      const now = new Date();
      for (let added = 0; added < total - n; added += BATCH) {
        const count = Math.min(BATCH, total - n - added);
        // A run of consecutive numbers for the batch, taken as SequencesService takes one.
        const [{ last }] = await m.query<{ last: number }[]>(
          `INSERT INTO number_sequence (name, year, last) VALUES ('ticket', 0, $1)
           ON CONFLICT (name, year) DO UPDATE SET last = number_sequence.last + $1 RETURNING last`,
          [count],
        );
        await insertScaleTickets(m, ctx, count, last - count + 1, r, now);
      }
    });
    await this.dataSource.query('ANALYZE ticket');
    await this.dataSource.query('ANALYZE ticket_message');
    return total;
  }

  /**
   * A living pipeline for the demo: for each owner, deals on their customers in every stage, with
   * amounts a small company sees (¥30,000 to ¥1,200,000), close dates over the coming months, the
   * stage history that led there, lost reasons, and a few deals nobody has touched for weeks (stale).
   */
  private async insertDeals(m: EntityManager, owners: number[]): Promise<void> {
    const projects = [
      'ERP 升级项目',
      '年度维保合同',
      'CRM 实施',
      '数据中心扩容',
      '办公网络改造',
      '视频会议系统',
      '仓储管理系统',
      '财务共享平台',
      '安全等保咨询',
      '移动办公平台',
    ];
    const stages = [
      'initial_contact',
      'needs_analysis',
      'proposal',
      'negotiation',
      'won',
      'lost',
      'proposal',
      'needs_analysis',
    ] as const;
    const probability: Record<string, number> = {
      initial_contact: 10,
      needs_analysis: 25,
      proposal: 50,
      negotiation: 75,
      won: 100,
      lost: 0,
    };
    const open = ['initial_contact', 'needs_analysis', 'proposal', 'negotiation'];
    const competitors = [null, '用友', '金蝶', '浪潮', null, '华为云'];
    const sources = [
      'referral',
      'existing_customer',
      'exhibition',
      'website',
      'cold_call',
      'partner',
      'tender',
      'referral',
    ];
    let n = 0;
    for (const ownerId of owners) {
      const customers = await m.query<{ id: number; name: string }[]>(
        'SELECT id, name FROM customer WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 8',
        [ownerId],
      );
      for (const [i, c] of customers.entries()) {
        const stage = stages[i % stages.length];
        // Every fifth deal idle for a month; a closed one closed a day ago at the latest.
        const idle = Math.max(i % 5 === 3 ? 30 : (n * 3) % 9, open.includes(stage) ? 0 : 1);
        const days = (k: number) => new Date(Date.now() + k * 86_400_000);
        const close = days(10 + ((n * 17) % 150))
          .toISOString()
          .slice(0, 10);
        const amount = (30 + ((n * 7919) % 1171)) * 1000;
        const short = c.name.replace(/(股份)?有限(责任)?公司$/, '');
        const [row] = await m.query<{ id: number }[]>(
          `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date,
             competitors, next_step, source, lost_reason, lost_note, closed_at, last_activity_at, created_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $14, 1) RETURNING id`,
          [
            c.id,
            ownerId,
            `${short} ${projects[n % projects.length]}`,
            stage,
            amount,
            probability[stage],
            close,
            competitors[n % competitors.length],
            open.includes(stage)
              ? ['安排技术交流', '发送方案书', '约采购部谈价格', '确认预算审批进度'][n % 4]
              : null,
            sources[n % sources.length],
            stage === 'lost' ? (['price', 'competitor', 'no_budget'] as const)[n % 3] : null,
            stage === 'lost' ? '客户最终选择了其他供应商' : null,
            open.includes(stage) ? null : days(-idle),
            days(-idle),
            days(-idle - 20),
          ],
        );
        // The history that led to the stage: one step per stage passed, a few days apart; a closed
        // deal's last step is its closing.
        const closed = stage === 'won' || stage === 'lost';
        const path = closed ? [...open.slice(0, 3), stage] : open.slice(0, open.indexOf(stage) + 1);
        for (const [k, to] of path.entries())
          await m.query(
            `INSERT INTO opportunity_stage_change (opportunity_id, from_stage, to_stage, by_id, at) VALUES ($1, $2, $3, $4, $5)`,
            [
              row.id,
              k === 0 ? null : path[k - 1],
              to,
              ownerId,
              closed && k === path.length - 1 ? days(-idle) : days(-idle - 20 + k * 4),
            ],
          );
        n++;
      }
    }
  }

  /**
   * Demo contracts: one from each won deal (its amount as one line), and for each owner a draft, an
   * approved, a signed and a completed contract with a few lines, numbered from the contracts'
   * numbering as Kehu numbers them; one of Li Ming's waits for the manager's approval.
   */
  private async insertContracts(m: EntityManager, owners: number[]): Promise<void> {
    const nextNumber = () => this.sequences.next(m, 'contract');
    const day = (k: number) => new Date(Date.now() + k * 86_400_000).toISOString().slice(0, 10);
    type Line = [item: string, spec: string | null, unit: string, quantity: string, unitPrice: string];
    const insert = async (
      c: { customerId: number; customerName: string; ownerId: number; opportunityId: number | null },
      title: string,
      status: 'draft' | 'approved' | 'signed' | 'completed',
      lines: Line[],
      ago: number,
    ) => {
      const signed = status === 'signed' || status === 'completed';
      const [row] = await m.query<{ id: number }[]>(
        `INSERT INTO contract (number, customer_id, customer_name, opportunity_id, owner_id, title, amount, status,
           signed_on, start_on, end_on, payment_terms, our_signatory_name, our_signatory_title,
           customer_signatory_name, customer_signatory_title, approval_rounds, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '王磊', '销售总监', '李总', '总经理', $13, $14, $14, 1)
         RETURNING id`,
        [
          await nextNumber(),
          c.customerId,
          c.customerName,
          c.opportunityId,
          c.ownerId,
          title,
          '0',
          status,
          signed ? day(Math.min(0, -ago + 3)) : null,
          day(-ago + 10),
          day(-ago + 375),
          '签约后 10 个工作日内支付 30%，到货验收后支付 60%，质保期满支付 10%',
          status === 'draft' ? 0 : 1,
          new Date(Date.now() - ago * 86_400_000),
        ],
      );
      for (const [i, [item, spec, unit, quantity, price]] of lines.entries())
        await m.query(
          `INSERT INTO contract_line (contract_id, position, item, specification, unit, quantity, unit_price, line_total)
           VALUES ($1, $2, $3, $4, $5, $6, $7, round($6::numeric * $7::numeric, 2))`,
          [row.id, i + 1, item, spec, unit, quantity, price],
        );
      // The amount is the lines' exact sum, added up where it is stored.
      await m.query(
        'UPDATE contract SET amount = (SELECT sum(line_total) FROM contract_line WHERE contract_id = $1) WHERE id = $1',
        [row.id],
      );
    };
    const won = await m.query<
      {
        id: number;
        customerId: number;
        customerName: string;
        ownerId: number;
        title: string;
        amount: string;
        closedDaysAgo: number;
      }[]
    >(
      `SELECT o.id, o.customer_id AS "customerId", c.name AS "customerName", o.owner_id AS "ownerId", o.title,
              o.amount::text AS amount, (extract(epoch FROM now() - o.closed_at) / 86400)::float8 AS "closedDaysAgo"
         FROM opportunity o JOIN customer c ON c.id = o.customer_id WHERE o.stage = 'won' ORDER BY o.id`,
    );
    for (const [i, d] of won.entries())
      await insert(
        { ...d, opportunityId: d.id },
        d.title,
        i % 2 ? 'signed' : 'approved',
        [[d.title, null, '项', '1', d.amount]],
        // Drawn up after the win.
        Math.min(20 - i, d.closedDaysAgo - 0.25),
      );
    const kinds = [
      [
        'draft',
        '服务器扩容',
        [
          ['机架式服务器', 'Dell R760, 2 × Xeon 6430', '台', '2', '68000.00'],
          ['上门安装调试', null, '次', '1', '3500.00'],
        ],
      ],
      ['approved', '年度维保服务', [['年度维保服务', '7×24 小时响应', '年', '1', '120000.00']]],
      [
        'signed',
        '视频会议系统',
        [
          ['会议终端', 'MX-800', '套', '3', '25800.00'],
          ['会议室改造', null, '间', '1.5', '12000.50'],
        ],
      ],
      [
        'completed',
        '办公网络改造',
        [
          ['交换机', '48 口千兆', '台', '4', '6200.00'],
          ['综合布线', null, '米', '350', '12.80'],
        ],
      ],
    ] as const;
    for (const ownerId of owners) {
      const customers = await m.query<{ id: number; name: string }[]>(
        'SELECT id, name FROM customer WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY id OFFSET 8 LIMIT 4',
        [ownerId],
      );
      for (const [i, c] of customers.entries()) {
        const [status, title, lines] = kinds[i % kinds.length];
        await insert(
          { customerId: c.id, customerName: c.name, ownerId, opportunityId: null },
          `${c.name.replace(/(股份)?有限(责任)?公司$/, '')} ${title}`,
          status,
          lines.map((l) => [...l] as Line),
          60 - i * 12,
        );
      }
    }
    // One of Li Ming's drafts, above the approval threshold, waits for the manager.
    const [pending] = await m.query<
      { id: number; number: string; title: string; customerName: string; amount: string; ownerId: number }[]
    >(
      `SELECT c.id, c.number, c.title, c.customer_name AS "customerName", c.amount::text AS amount, c.owner_id AS "ownerId"
         FROM contract c JOIN app_user u ON u.id = c.owner_id
        WHERE u.email = 'sales1@demo.kehu' AND c.status = 'draft' ORDER BY c.amount DESC, c.id LIMIT 1`,
    );
    const [manager] = await m.query<{ id: number }[]>(
      `SELECT id FROM app_user WHERE email = 'manager@demo.kehu'`,
    );
    if (pending && manager) {
      await m.query(`UPDATE contract SET status = 'pending_approval', approval_rounds = 1 WHERE id = $1`, [
        pending.id,
      ]);
      await this.openApprovalRound(m, {
        kind: 'contract',
        subjectId: pending.id,
        title: approvalTitle(pending.number, pending.customerName, pending.title),
        url: `/contracts/${pending.id}`,
        amount: pending.amount,
        requestedBy: pending.ownerId,
        approverIds: [manager.id],
        labelKey: 'approval.step.manager',
      });
    }
  }

  /**
   * The demo company's letterhead, and a few quotes on demo deals, numbered from the shared sequence:
   * one of Li Ming's waiting for the manager's approval (its discount past 15%), one accepted on his
   * won deal, one of Zhang Wei's sent to the customer.
   */
  private async insertQuotes(m: EntityManager, ids: Map<string, number>): Promise<void> {
    await m.query(
      `INSERT INTO setting (key, value, version) VALUES ('company', $1, 1) ON CONFLICT (key) DO NOTHING`,
      [
        {
          nameZh: '杭州客户软件有限公司',
          nameEn: 'Hangzhou Kehu Software Co., Ltd.',
          addressZh: '浙江省杭州市西湖区文三路 90 号 8 楼',
          addressEn: '8F, 90 Wensan Road, Xihu District, Hangzhou, Zhejiang',
          phone: '0571-8888 6666',
          bankName: '招商银行杭州分行',
          bankAccount: '5719 0888 6666 001',
          logoAttachmentId: null,
        },
      ],
    );
    const manager = ids.get('manager@demo.kehu');
    const plans = [
      {
        owner: 'sales1@demo.kehu',
        stage: 'proposal',
        status: 'pending_approval',
        lineDiscount: 12,
        discount: 8,
      },
      { owner: 'sales1@demo.kehu', stage: 'won', status: 'accepted', lineDiscount: 5, discount: 0 },
      { owner: 'sales2@demo.kehu', stage: 'negotiation', status: 'sent', lineDiscount: 0, discount: 5 },
    ] as const;
    for (const plan of plans) {
      const ownerId = ids.get(plan.owner);
      if (ownerId === undefined) continue;
      const [deal] = await m.query<{ id: number; customer_id: number; amount: string }[]>(
        `SELECT id, customer_id, amount::text AS amount FROM opportunity WHERE owner_id = $1 AND stage = $2 ORDER BY id LIMIT 1`,
        [ownerId, plan.stage],
      );
      if (!deal) continue;
      // Three lines whose list prices come to about the deal's amount.
      const base = Math.max(1000, Math.round(fromNumeric(deal.amount) / 100 / 10));
      const items = [
        {
          itemName: '软件许可',
          specification: '企业版，按并发用户',
          unit: '套',
          quantity: 5000,
          unitPrice: base * 100,
        },
        {
          itemName: '实施服务',
          specification: '需求调研、配置、培训',
          unit: '人天',
          quantity: 20_000,
          unitPrice: 1200_00,
        },
        {
          itemName: '年度维保',
          specification: '7×24 远程支持',
          unit: '年',
          quantity: 1000,
          unitPrice: base * 50,
        },
      ];
      const figures = {
        lines: items.map((l) => ({
          quantity: l.quantity,
          unitPrice: l.unitPrice as never,
          discount: plan.lineDiscount * 100,
        })),
        discount: plan.discount * 100,
        taxRate: 1300,
        pricesIncludeTax: false,
      };
      const t = quoteTotals(figures);
      const number = await this.sequences.next(m, 'quote');
      const sent = plan.status === 'sent' || plan.status === 'accepted';
      const [quote] = await m.query<{ id: number }[]>(
        `INSERT INTO quote (number, opportunity_id, customer_id, owner_id, status, currency, tax_rate, prices_include_tax,
           discount_percent, valid_until, terms, list_total, subtotal, discount_amount, net, tax, total, sent_at, version)
         VALUES ($1, $2, $3, $4, $5, 'CNY', 13, false, $6, (now() + interval '30 days')::date, $7, $8, $9, $10, $11, $12, $13, $14, 1)
         RETURNING id`,
        [
          number,
          deal.id,
          deal.customer_id,
          ownerId,
          plan.status,
          toDecimal(figures.discount, 2),
          '1. 报价含税（增值税 13%），有效期 30 天。\n2. 合同签订后 5 个工作日内支付 30% 预付款。\n3. 软件维保自验收之日起计算。',
          toNumeric(t.listTotal),
          toNumeric(t.subtotal),
          toNumeric(t.discountAmount),
          toNumeric(t.net),
          toNumeric(t.tax),
          toNumeric(t.total),
          sent ? new Date(Date.now() - 3 * DAY) : null,
        ],
      );
      for (const [i, l] of items.entries())
        await m.query(
          `INSERT INTO quote_line (quote_id, position, item_name, specification, unit, quantity, unit_price, discount_percent, line_total)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            quote.id,
            i + 1,
            l.itemName,
            l.specification,
            l.unit,
            toDecimal(l.quantity, 3),
            toNumeric(l.unitPrice as never),
            toDecimal(plan.lineDiscount * 100, 2),
            toNumeric(t.lines[i].total),
          ],
        );
      if (plan.status === 'pending_approval' && manager !== undefined) {
        const [names] = await m.query<{ customer: string; deal: string }[]>(
          `SELECT c.name AS customer, o.title AS deal FROM opportunity o JOIN customer c ON c.id = o.customer_id WHERE o.id = $1`,
          [deal.id],
        );
        await this.openApprovalRound(m, {
          kind: 'quote',
          subjectId: quote.id,
          title: approvalTitle(number, names.customer, names.deal),
          url: `/quotes/${quote.id}`,
          amount: toNumeric(t.total),
          requestedBy: ownerId,
          approverIds: [manager],
          labelKey: 'approval.step.manager',
        });
      }
    }
  }

  /**
   * A demo record waiting in its first approval step (或签), as ApprovalsService.submit leaves one:
   * the round pending, its step started, each approver asked and told in-app.
   */
  private async openApprovalRound(
    m: EntityManager,
    r: {
      kind: string;
      subjectId: number;
      title: string;
      url: string;
      amount: string;
      requestedBy: number;
      approverIds: number[];
      labelKey: string;
    },
  ): Promise<void> {
    const [round] = await m.query<{ id: number }[]>(
      `INSERT INTO approval_round (subject_kind, subject_id, round, title, url, amount, requested_by_id)
       VALUES ($1, $2, 1, $3, $4, $5, $6) RETURNING id`,
      [r.kind, r.subjectId, r.title, r.url, r.amount, r.requestedBy],
    );
    const [step] = await m.query<{ id: number }[]>(
      `INSERT INTO approval_step (round_id, position, mode, label_key, status, started_at)
       VALUES ($1, 1, 'any', $2, 'pending', now()) RETURNING id`,
      [round.id, r.labelKey],
    );
    const [requester] = await m.query<{ name: string }[]>(`SELECT name FROM app_user WHERE id = $1`, [
      r.requestedBy,
    ]);
    for (const userId of r.approverIds) {
      await m.query(`INSERT INTO approval_approver (step_id, user_id, asked_at) VALUES ($1, $2, now())`, [
        step.id,
        userId,
      ]);
      await m.query(
        `INSERT INTO notification (user_id, kind, params, link) VALUES ($1, 'approval_waiting', $2, $3)`,
        [userId, { title: r.title, by: requester.name }, r.url],
      );
    }
  }

  /**
   * Demo money on the approved, signed and completed contracts: a payment plan of 30% / 60% / 10% (on
   * signing, on delivery 25 days later, the retention a year on), so that signed contracts show
   * collected, overdue and not yet due installments; payments by bank transfer or acceptance bill
   * (every other signed contract has paid half its second installment), an invoice for each payment
   * and one issued ahead of the money; and the kickoff tasks of the newest signed contracts for the
   * first service agent, as signing makes them.
   */
  private async insertPayments(m: EntityManager, serviceId: number): Promise<void> {
    const contracts = await m.query<
      {
        id: number;
        number: string;
        customerName: string;
        ownerId: number;
        amount: string;
        status: string;
        base: string;
      }[]
    >(
      `SELECT id, number, customer_name AS "customerName", owner_id AS "ownerId", amount::text AS amount, status,
              coalesce(signed_on, start_on, current_date)::text AS base
         FROM contract WHERE status IN ('approved', 'signed', 'completed') AND amount > 0 ORDER BY id`,
    );
    const plus = (day: string, n: number) =>
      new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
    const today = new Date().toISOString().slice(0, 10);
    let signedSeen = 0;
    for (const c of contracts) {
      const parts = splitByRatios(fromNumeric(c.amount), [30, 60, 10]);
      const dues = [plus(c.base, 10), plus(c.base, 25), plus(c.base, 365)];
      const paid =
        c.status === 'completed'
          ? [parts[0], parts[1], 0]
          : c.status === 'signed'
            ? [parts[0], signedSeen % 2 === 0 ? Math.floor(parts[1] / 2) : 0, 0]
            : [0, 0, 0];
      if (c.status === 'signed') signedSeen++;
      await m.query('INSERT INTO payment_plan (contract_id, version) VALUES ($1, 1)', [c.id]);
      const installments: number[] = [];
      for (const [i, amount] of parts.entries()) {
        const [row] = await m.query<{ id: number }[]>(
          `INSERT INTO payment_installment (contract_id, position, due_on, amount, collected, note)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [
            c.id,
            i + 1,
            dues[i],
            toNumeric(amount),
            toNumeric(paid[i] as typeof amount),
            ['首付款 30%', '到货验收 60%', '质保金 10%'][i],
          ],
        );
        installments.push(row.id);
      }
      for (const [i, amount] of paid.entries()) {
        if (!amount) continue;
        const receivedOn = [dues[i], today].sort()[0];
        const [payment] = await m.query<{ id: number }[]>(
          `INSERT INTO payment (contract_id, received_on, amount, method, reference, recorded_by_id)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [
            c.id,
            receivedOn,
            toNumeric(amount as (typeof parts)[0]),
            i === 0 ? 'bank_transfer' : 'acceptance_bill',
            i === 0 ? `招商银行 ${receivedOn.replace(/-/g, '')}-${c.id}` : `银承 ${c.id}0${i}`,
            c.ownerId,
          ],
        );
        await m.query(
          'INSERT INTO payment_allocation (payment_id, installment_id, amount) VALUES ($1, $2, $3)',
          [payment.id, installments[i], toNumeric(amount as (typeof parts)[0])],
        );
        await m.query(
          `INSERT INTO invoice (contract_id, number, issued_on, amount, type, tax_rate, recorded_by_id)
           VALUES ($1, $2, $3, $4, 'vat_special', 13, $5)`,
          [
            c.id,
            `0440021${String(c.id).padStart(4, '0')}${i}`,
            receivedOn,
            toNumeric(amount as (typeof parts)[0]),
            c.ownerId,
          ],
        );
      }
      if (c.status === 'signed' && signedSeen <= 2) {
        // Invoiced ahead of the money: the second installment's invoice, not yet collected.
        await m.query(
          `INSERT INTO invoice (contract_id, number, issued_on, amount, type, tax_rate, recorded_by_id)
           VALUES ($1, $2, $3, $4, 'vat_general', 6, $5)`,
          [
            c.id,
            `0440021${String(c.id).padStart(4, '0')}9`,
            [dues[1], today].sort()[0],
            toNumeric(parts[1]),
            c.ownerId,
          ],
        );
        for (const [labelKey, days] of [
          ['task.kickoff.meeting', 3],
          ['task.kickoff.consultant', 2],
          ['task.kickoff.delivery_plan', 7],
        ] as const)
          await m.query(
            `INSERT INTO task (assignee_id, due_on, status, kind, source_kind, source_id, label_key, title, version)
             VALUES ($1, $2, 'open', 'kickoff', 'contract', $3, $4, $5, 1)`,
            [serviceId, plus(c.base, days), c.id, labelKey, `${c.number} ${c.customerName}`],
          );
      }
    }
  }

  /** Deals on about one owned customer in four (see generateDeal). */
  private async insertScaleDeals(
    m: EntityManager,
    firstIndex: number,
    customers: { id: number; name: string; ownerId: number | null }[],
  ): Promise<void> {
    // A random source of its own, so the customers' draws stay what they were.
    const r = rng(90_210 + firstIndex);
    const deals = customers.flatMap((c) =>
      c.ownerId !== null && r() < 2 / 7 ? [{ customer: c, deal: generateDeal(c.name, r) }] : [],
    );
    await this.insertGeneratedDeals(m, deals);
  }

  /**
   * Generated deals owned by their customer's owner, with their stage history: one multi-row insert
   * per table, ids drawn first so the history can point at them.
   */
  private async insertGeneratedDeals(
    m: EntityManager,
    deals: { customer: { id: number; ownerId: number | null }; deal: GeneratedDeal }[],
  ): Promise<void> {
    if (!deals.length) return;
    const ids = await this.nextIds(m, 'opportunity_id_seq', deals.length);
    const now = Date.now();
    const ago = (days: number) => new Date(now - days * DAY).toISOString();
    const today = new Date(now).toISOString().slice(0, 10);
    const o = {
      id: ids,
      customer: deals.map((d) => d.customer.id),
      owner: deals.map((d) => d.customer.ownerId),
      title: deals.map((d) => d.deal.title),
      stage: deals.map((d) => d.deal.stage),
      amount: deals.map((d) => d.deal.amount),
      probability: deals.map((d) => d.deal.probability),
      close: deals.map((d) => d.deal.expectedCloseInDays),
      competitors: deals.map((d) => d.deal.competitors),
      next: deals.map((d) => d.deal.nextStep),
      source: deals.map((d) => d.deal.source),
      lostReason: deals.map((d) => d.deal.lostReason),
      lostNote: deals.map((d) => d.deal.lostNote),
      closedAt: deals.map((d) =>
        d.deal.stage === 'won' || d.deal.stage === 'lost' ? ago(d.deal.lastActivityDaysAgo) : null,
      ),
      last: deals.map((d) => ago(d.deal.lastActivityDaysAgo)),
      created: deals.map((d) => ago(d.deal.createdDaysAgo)),
      version: deals.map((d) => d.deal.history.length),
    };
    await m.query(
      `INSERT INTO opportunity (id, customer_id, owner_id, title, stage, amount, probability, expected_close_date,
         competitors, next_step, source, lost_reason, lost_note, closed_at, last_activity_at, created_at, updated_at, version)
       SELECT id, customer_id, owner_id, title, stage, amount, probability, $18::date + close_in,
              competitors, next_step, source, lost_reason, lost_note, closed_at, last_activity_at, created_at, last_activity_at, version
         FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::text[], $6::numeric[], $7::smallint[], $8::int[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[], $15::timestamptz[],
                     $16::timestamptz[], $17::int[])
           AS t(id, customer_id, owner_id, title, stage, amount, probability, close_in, competitors, next_step, source,
                lost_reason, lost_note, closed_at, last_activity_at, created_at, version)`,
      [
        o.id,
        o.customer,
        o.owner,
        o.title,
        o.stage,
        o.amount,
        o.probability,
        o.close,
        o.competitors,
        o.next,
        o.source,
        o.lostReason,
        o.lostNote,
        o.closedAt,
        o.last,
        o.created,
        o.version,
        today,
      ],
    );
    const h = {
      deal: [] as number[],
      from: [] as (string | null)[],
      to: [] as string[],
      by: [] as number[],
      at: [] as string[],
    };
    deals.forEach((d, i) => {
      for (const move of d.deal.history) {
        h.deal.push(ids[i]);
        h.from.push(move.from);
        h.to.push(move.to);
        h.by.push(d.customer.ownerId!);
        h.at.push(ago(move.daysAgo));
      }
    });
    await m.query(
      `INSERT INTO opportunity_stage_change (opportunity_id, from_stage, to_stage, by_id, at)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::timestamptz[])`,
      [h.deal, h.from, h.to, h.by, h.at],
    );
  }

  /**
   * Multi-row inserts through unnest(): ids are drawn first so contacts and follow-ups can point at
   * them. Returns the customers added (id, name, owner).
   */
  private async insertCustomers(
    m: EntityManager,
    firstIndex: number,
    count: number,
    owners: number[],
    fallbackAuthor: number,
  ): Promise<{ id: number; name: string; ownerId: number | null }[]> {
    const r = rng(20260 + firstIndex);
    const now = Date.now();
    const customers = Array.from({ length: count }, (_, i) =>
      generateCustomer(firstIndex + i, owners, fallbackAuthor, r),
    );
    const customerIds = await this.nextIds(m, 'customer_id_seq', count);
    const contactTotal = customers.reduce((s, c) => s + c.contacts.length, 0);
    const contactIds = await this.nextIds(m, 'contact_id_seq', contactTotal);

    const cols = {
      id: [] as number[],
      kind: [] as string[],
      name: [] as string[],
      uscc: [] as (string | null)[],
      industry: [] as (string | null)[],
      size: [] as (string | null)[],
      province: [] as string[],
      city: [] as string[],
      district: [] as string[],
      address: [] as string[],
      tier: [] as string[],
      vip: [] as boolean[],
      source: [] as string[],
      status: [] as string[],
      owner: [] as (number | null)[],
      /** Array literals ({"a","b"}), cast to text[] in SQL: unnest cannot take an array of arrays of varying length. */
      tags: [] as string[],
      notes: [] as (string | null)[],
      last: [] as (string | null)[],
    };
    const ct = {
      id: [] as number[],
      customer: [] as number[],
      name: [] as string[],
      title: [] as (string | null)[],
      mobile: [] as string[],
      email: [] as (string | null)[],
      wechat: [] as (string | null)[],
      primary: [] as boolean[],
    };
    const fu = {
      customer: [] as number[],
      contact: [] as (number | null)[],
      author: [] as number[],
      method: [] as string[],
      at: [] as string[],
      summary: [] as string[],
      promises: [] as (string | null)[],
      next: [] as (string | null)[],
      nextAt: [] as (string | null)[],
    };
    let contactCursor = 0;
    customers.forEach((c, i) => {
      const id = customerIds[i];
      const firstContact = contactIds[contactCursor];
      for (const k of c.contacts) {
        ct.id.push(contactIds[contactCursor++]);
        ct.customer.push(id);
        ct.name.push(k.name);
        ct.title.push(k.title);
        ct.mobile.push(k.mobile);
        ct.email.push(k.email);
        ct.wechat.push(k.wechat);
        ct.primary.push(k.primary);
      }
      let last: string | null = null;
      for (const f of c.followUps) {
        const at = new Date(now - f.daysAgo * DAY - (i % 9) * 3_600_000).toISOString();
        last = at;
        fu.customer.push(id);
        fu.contact.push(f.contact === null ? null : firstContact);
        fu.author.push(f.authorId);
        fu.method.push(f.method);
        fu.at.push(at);
        fu.summary.push(f.summary);
        fu.promises.push(f.promises);
        fu.next.push(f.nextAction);
        fu.nextAt.push(f.nextInDays === null ? null : new Date(now + f.nextInDays * DAY).toISOString());
      }
      cols.id.push(id);
      cols.kind.push(c.kind);
      cols.name.push(c.name);
      cols.uscc.push(c.uscc);
      cols.industry.push(c.industry);
      cols.size.push(c.size);
      cols.province.push(c.province);
      cols.city.push(c.city);
      cols.district.push(c.district);
      cols.address.push(c.address);
      cols.tier.push(c.tier);
      cols.vip.push(c.vip);
      cols.source.push(c.source);
      cols.status.push(c.status);
      cols.owner.push(c.ownerId);
      cols.tags.push(`{${c.tags.map((t) => `"${t}"`).join(',')}}`);
      cols.notes.push(c.notes);
      cols.last.push(last);
    });
    await m.query(
      `INSERT INTO customer (id, kind, name, uscc, industry, size, province, city, district, address, tier, vip, source, status, owner_id, tags, last_interaction_at, owned_since, name_key, search_text, notes, version)
       SELECT id, kind, name, uscc, industry, size, province, city, district, address, tier, vip, source, status, owner_id, tags::text[], last,
              CASE WHEN owner_id IS NULL THEN NULL ELSE now() - interval '90 days' END, name_key, search_text, notes, 1
         FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::bool[], $13::text[], $14::text[], $15::int[], $16::text[], $17::timestamptz[],
                     $18::text[], $19::text[], $20::text[])
           AS t(id, kind, name, uscc, industry, size, province, city, district, address, tier, vip, source, status, owner_id, tags, last,
                name_key, search_text, notes)`,
      [
        cols.id,
        cols.kind,
        cols.name,
        cols.uscc,
        cols.industry,
        cols.size,
        cols.province,
        cols.city,
        cols.district,
        cols.address,
        cols.tier,
        cols.vip,
        cols.source,
        cols.status,
        cols.owner,
        cols.tags,
        cols.last,
        cols.name.map(duplicateKey),
        cols.name.map(searchText),
        cols.notes,
      ],
    );
    await m.query(
      `INSERT INTO contact (id, customer_id, name, title, mobile, email, wechat, "primary", version)
       SELECT *, 1 FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bool[])`,
      [ct.id, ct.customer, ct.name, ct.title, ct.mobile, ct.email, ct.wechat, ct.primary],
    );
    await m.query(
      // Logged when they happened: a demo follow-up is not one its author may still correct today.
      `INSERT INTO follow_up (customer_id, contact_id, author_id, method, happened_at, summary, promises, next_action, next_follow_up_at, version, created_at)
       SELECT *, 1, happened_at FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
         AS f(customer_id, contact_id, author_id, method, happened_at, summary, promises, next_action, next_follow_up_at)`,
      [fu.customer, fu.contact, fu.author, fu.method, fu.at, fu.summary, fu.promises, fu.next, fu.nextAt],
    );
    // A customer's last interaction and next step are its latest follow-up's, as logging one makes them.
    await m.query(
      `UPDATE customer c SET last_interaction_at = f.happened_at, next_step_at = f.next_follow_up_at, next_step = f.next_action
         FROM (SELECT DISTINCT ON (customer_id) customer_id, happened_at, next_action, next_follow_up_at
                 FROM follow_up WHERE customer_id = ANY($1) AND deleted_at IS NULL
                ORDER BY customer_id, happened_at DESC, id DESC) f
        WHERE c.id = f.customer_id`,
      [cols.id],
    );
    return cols.id.map((id, i) => ({ id, name: cols.name[i], ownerId: cols.owner[i] }));
  }

  private async nextIds(m: EntityManager, sequence: string, count: number): Promise<number[]> {
    if (count === 0) return [];
    const rows = await m.query<{ id: number }[]>(
      `SELECT nextval($1)::int AS id FROM generate_series(1, $2)`,
      [sequence, count],
    );
    return rows.map((r) => r.id);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Locale } from './roles.js';
import type { SessionUser } from './session-user.js';
import { poolOf, prepared } from './sql.js';

/**
 * The customer's life, as every module takes part in it. Each module that keeps records about
 * customers (follow-ups now; opportunities, contracts, tickets later) registers one CustomerLifecycle
 * in its onModuleInit, saying in one place:
 * - which entries it adds to the customer's 360° timeline, and which figures to the top of that page;
 * - what it moves when two customers are merged (inside the merge's transaction);
 * - what it hands over when a rep leaves (inside the deactivation's transaction);
 * - what else it does when a user is deactivated, in that same transaction (approvals seat a substitute);
 * - how the audit log names its fields and their values.
 * The customers, users and audit modules read the registrations; none of them knows the others' tables.
 */
export interface CustomerLifecycle {
  /** The kind of record, as its audit entries name it: `customer`, `contact`, `follow_up`… */
  entity: string;
  /**
   * How the audit log names the record's fields (field → locale key), option values (field → key
   * prefix), and which fields hold a user's or a team's id (shown by the person's or team's name).
   */
  audit: {
    fields: Record<string, string>;
    values?: Record<string, string>;
    refs?: Record<string, AuditRef>;
  };
  /** How the audit log tells the entries of the module's own actions, whatever record they are about. */
  auditActions?: AuditActionLabels[];
  /** The record's entries on a customer's timeline, read with every other module's in one statement. */
  timeline?: TimelineSource;
  /** The record's figures on the customer's 360° page (open deals, money owed), read in that statement too. */
  summary?: SummarySource;
  /**
   * What the timeline's entries need to know of the customer itself (registered by the customers
   * module alone): a SELECT of customer $1's `ownerId` and `contacts`, a JSON object of its live
   * contacts' names by id.
   */
  timelineCustomer?: string;
  /** Moves the records of a merged customer to the survivor; returns how many moved. */
  merge?: (m: EntityManager, fromCustomerId: number, toCustomerId: number) => Promise<number>;
  /** What a leaving rep owns of this kind, and how it moves to a colleague (or the pool: null). */
  handOver?: HandOver;
  /** Runs inside a user's deactivation, after the hand-over: what the module does about a user leaving. */
  deactivate?: (m: EntityManager, userId: number, actor: SessionUser) => Promise<void>;
}

/**
 * How the audit log tells the entries of one action, whatever record they are recorded against (a
 * rule's firing is about a customer, a manager or the company): its fields' labels (field → locale key),
 * and its values in the reader's language (`value` answers null for a value it leaves as stored or to
 * the record's own labels; `entry` holds the entry's other values, by field).
 */
export interface AuditActionLabels {
  action: string;
  fields: Record<string, string>;
  value?: (locale: Locale, field: string, value: unknown, entry: Record<string, unknown>) => string | null;
}

/** What an id in an audit entry's field stands for: a user or a team. */
export type AuditRef = 'user' | 'team';

/** Names of users and teams by id (the users module's directory), for the audit log's references. */
export interface AuditNames {
  names: (kind: AuditRef, ids: number[]) => Promise<Map<number, string>>;
}

export interface HandOver {
  /** Locale key naming what is moved, e.g. hand_over.customers. */
  labelKey: string;
  count: (userId: number) => Promise<number>;
  move: (m: EntityManager, fromUserId: number, toUserId: number | null) => Promise<number>;
}

/**
 * A module's entries on a customer's timeline. The 360° page reads every module's in one statement
 * (one round trip instead of one or more per module); each module still writes its own SQL in its
 * repository and turns its own rows into entries.
 */
export interface TimelineSource<Row = Record<string, unknown>> {
  /**
   * A SELECT of the module's rows about customer $1, newest first, at most $2 (`LIMIT $2`), its
   * columns named as `items` reads them. Each row reaches `items` as a JSON object: a timestamp as
   * ISO text (`at()` reads it), a numeric as a number (select money as text).
   */
  sql: string;
  /** The rows as entries, newest first, as `page.viewer` sees them. */
  items: (rows: Row[], page: TimelinePage) => TimelineItem[] | Promise<TimelineItem[]>;
}

/** A timeline source whose `items` reads its own rows' shape (as its `sql` names the columns). */
export function timelineSource<Row>(
  sql: string,
  items: (rows: Row[], page: TimelinePage) => TimelineItem[] | Promise<TimelineItem[]>,
): TimelineSource {
  return { sql, items: items as unknown as TimelineSource['items'] };
}

/**
 * A module's figures on a customer's 360° page: what is open with the customer now (deals, money owed,
 * tickets), from the module's rows about it, read with the timeline in one statement.
 */
export interface SummarySource<Row = Record<string, unknown>> {
  /** A SELECT of the module's rows about customer $1 that its figures add up (each row as JSON, as a timeline's). */
  sql: string;
  /** The figures, as `page.viewer` may see them; none when the viewer sees no row. */
  figures: (rows: Row[], page: TimelinePage) => SummaryFigure[] | Promise<SummaryFigure[]>;
}

/** A summary source whose `figures` reads its own rows' shape (as its `sql` names the columns). */
export function summarySource<Row>(
  sql: string,
  figures: (rows: Row[], page: TimelinePage) => SummaryFigure[] | Promise<SummaryFigure[]>,
): SummarySource {
  return { sql, figures: figures as unknown as SummarySource['figures'] };
}

/** One figure at the top of the 360° page. */
export interface SummaryFigure {
  /** Locale key of its label, e.g. payment.outstanding. */
  labelKey: string;
  /** The value as shown (¥12,000.00, 3). */
  value: string;
  /** A line under the value, in the viewer's language (3 contracts, ¥4,000.00 overdue). */
  detail?: string;
  /** Calls for attention (money overdue): shown in the danger colour. */
  alert?: boolean;
  /** Where the figure's records are listed. */
  url?: string;
}

/** What every module's entries are read for: the customer, and who looks. */
export interface TimelinePage {
  customerId: number;
  /** The customer's owner: null for a pool customer. */
  ownerId: number | null;
  /** The customer's live contacts' names by id. */
  contactNames: Map<number, string>;
  viewer?: SessionUser;
}

/** A timestamp of a timeline row (ISO text in its JSON) as a Date; null stays null. */
export function at(value: unknown): Date;
export function at(value: unknown, nullable: 'nullable'): Date | null;
export function at(value: unknown, _nullable?: 'nullable'): Date | null {
  return value === null || value === undefined ? null : new Date(value as string);
}

/** One entry of the customer's timeline, whatever module it comes from. */
export interface TimelineItem {
  at: Date;
  /** follow_up, opportunity, contract, payment, ticket, survey… (a CSS class and an icon) */
  kind: string;
  /** Locale key of the entry's label, e.g. follow_up.method.visit. */
  labelKey: string;
  by: string | null;
  /** Who on the customer's side: a contact's name. */
  counterpart: string | null;
  text: string | null;
  /** Something promised to the customer: shown highlighted, so service sees it. */
  promise: string | null;
  nextAction: string | null;
  nextAt: Date | null;
  /** A later entry has since closed this next step (as "My day" sees it): shown as done. */
  nextDone?: boolean;
  /** Where it happened: an address, or coordinates from the phone. */
  location?: string | null;
  /** The entry's own page (a deal's record), linked from its label. */
  url?: string;
  /** The viewer may correct the entry: its edit page, and where a POST deletes it. */
  editUrl?: string;
  deleteUrl?: string;
}

/** Newest first; entries at the same moment keep their module's order. */
export function mergeTimelines(lists: TimelineItem[][], limit: number): TimelineItem[] {
  return lists
    .flat()
    .map((item, i) => ({ item, i }))
    .sort((a, b) => b.item.at.getTime() - a.item.at.getTime() || a.i - b.i)
    .slice(0, limit)
    .map(({ item }) => item);
}

/** What the modules' entries and figures are read for, from a row holding the 360° page's columns. */
function pageOf(row: Record<string, unknown>, customerId: number, viewer?: SessionUser): TimelinePage {
  const customer = row.timeline_customer as {
    ownerId: number | null;
    contacts: Record<string, string>;
  } | null;
  return {
    customerId,
    ownerId: customer?.ownerId ?? null,
    contactNames: new Map(Object.entries(customer?.contacts ?? {}).map(([id, name]) => [Number(id), name])),
    viewer,
  };
}

/** The registered lifecycles, in registration order. */
@Injectable()
export class CustomerLifecycles {
  private readonly registered: CustomerLifecycle[] = [];
  /** The 360° page's columns (the timeline's and the figures'), built once every module has registered. */
  private columns: string | null = null;
  private auditNames: AuditNames | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  register(lifecycle: CustomerLifecycle): void {
    if (this.registered.some((l) => l.entity === lifecycle.entity))
      throw new Error(`customer lifecycle for ${lifecycle.entity} registered twice`);
    this.registered.push(lifecycle);
    this.columns = null;
  }

  /**
   * A customer's timeline from every module, newest first, and the modules' figures, as `viewer` sees
   * them: one statement reads the customer's owner and contacts and each module's rows (one JSON column
   * per module). For a page showing the customer beside its own record (a ticket's side panel).
   */
  async profile(
    customerId: number,
    limit: number,
    viewer: SessionUser,
  ): Promise<{ timeline: TimelineItem[]; figures: SummaryFigure[] }> {
    const { rows } = await poolOf(this.dataSource).query<Record<string, unknown>>(
      prepared(`SELECT ${this.profileColumns()}`, [customerId, limit]),
    );
    return {
      timeline: await this.timelineFrom(rows[0], customerId, limit, viewer),
      figures: await this.summaryFrom(rows[0], customerId, viewer),
    };
  }

  /**
   * The 360° page's columns that a statement about customer $1 selects: the timeline (`timeline_…`,
   * at most $2 entries from each module) and each module's summary rows (`summary_…`), so that the
   * customer's page reads its customer, its figures and its timeline in one round trip.
   * `timelineFrom` and `summaryFrom` read them.
   */
  profileColumns(): string {
    if (this.columns !== null) return this.columns;
    const customer = this.registered.find((l) => l.timelineCustomer)?.timelineCustomer;
    this.columns = [
      customer
        ? `(SELECT row_to_json(c) FROM (${customer}) c) AS timeline_customer`
        : 'NULL::json AS timeline_customer',
      ...this.sources().map((s, i) => `(SELECT json_agg(r) FROM (${s.sql}) r) AS timeline_${i}`),
      ...this.summaries().map((s, i) => `(SELECT json_agg(r) FROM (${s.sql}) r) AS summary_${i}`),
    ].join(',\n       ');
    return this.columns;
  }

  /** The timeline, newest first, from a row holding `profileColumns()`. */
  async timelineFrom(
    row: Record<string, unknown>,
    customerId: number,
    limit: number,
    viewer?: SessionUser,
  ): Promise<TimelineItem[]> {
    const page = pageOf(row, customerId, viewer);
    return mergeTimelines(
      await Promise.all(
        this.sources().map((s, i) =>
          s.items((row[`timeline_${i}`] as Record<string, unknown>[] | null) ?? [], page),
        ),
      ),
      limit,
    );
  }

  /** Every module's figures, in registration order, from a row holding `profileColumns()`. */
  async summaryFrom(
    row: Record<string, unknown>,
    customerId: number,
    viewer: SessionUser,
  ): Promise<SummaryFigure[]> {
    const page = pageOf(row, customerId, viewer);
    const figures = await Promise.all(
      this.summaries().map((s, i) =>
        s.figures((row[`summary_${i}`] as Record<string, unknown>[] | null) ?? [], page),
      ),
    );
    return figures.flat();
  }

  private sources(): TimelineSource[] {
    return this.registered.flatMap((l) => (l.timeline ? [l.timeline] : []));
  }

  private summaries(): SummarySource[] {
    return this.registered.flatMap((l) => (l.summary ? [l.summary] : []));
  }

  /** The merge steps, each named by its entity. */
  mergeSteps(): { entity: string; move: NonNullable<CustomerLifecycle['merge']> }[] {
    return this.registered.flatMap((l) => {
      const merge = l.merge;
      return merge ? [{ entity: l.entity, move: merge }] : [];
    });
  }

  handOvers(): HandOver[] {
    return this.registered.flatMap((l) => (l.handOver ? [l.handOver] : []));
  }

  /** What modules do when a user is deactivated, in registration order. */
  deactivationSteps(): NonNullable<CustomerLifecycle['deactivate']>[] {
    return this.registered.flatMap((l) => (l.deactivate ? [l.deactivate] : []));
  }

  /** How the audit log tells the entries of `action`, if a module registered it. */
  actionLabels(action: string): AuditActionLabels | undefined {
    for (const l of this.registered) {
      const found = l.auditActions?.find((a) => a.action === action);
      if (found) return found;
    }
    return undefined;
  }

  /** The locale key naming `field` of `entity` in the audit log, if one is registered. */
  fieldLabel(entity: string, field: string): string | undefined {
    return this.registered.find((l) => l.entity === entity)?.audit.fields[field];
  }

  /** The locale key prefix of `field`'s option labels (`customer.tier.`), if it has options. */
  valueLabels(entity: string, field: string): string | undefined {
    return this.registered.find((l) => l.entity === entity)?.audit.values?.[field];
  }

  /** Whether `field` of `entity` holds a user's or a team's id, if it does. */
  refOf(entity: string, field: string): AuditRef | undefined {
    return this.registered.find((l) => l.entity === entity)?.audit.refs?.[field];
  }

  /** Registers where the audit log finds users' and teams' names (the users module, once). */
  registerNames(names: AuditNames): void {
    this.auditNames = names;
  }

  /** Names of these users or teams by id; none before the users module registered its directory. */
  namesOf(kind: AuditRef, ids: number[]): Promise<Map<number, string>> {
    return ids.length && this.auditNames ? this.auditNames.names(kind, ids) : Promise.resolve(new Map());
  }
}

import { Injectable } from '@nestjs/common';
import { Brackets, type WhereExpressionBuilder } from 'typeorm';
import { NotAllowed, NotFound } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import type { SettingsSection } from '../common/settings/settings-sections.js';
import { SettingsService } from '../common/settings/settings.service.js';
import { UsersService } from '../users/users.service.js';
import { ExportRightsDto } from './dto/export-rights.dto.js';
import { EXPORT_DEFAULTS, EXPORT_KEY, type ExportRights } from './export-rights.js';
import { POOL_DEFAULTS, POOL_KEY } from './pool.js';

/**
 * Who may see and do what with a customer (DESIGN.md, "Who sees what"), in one place. Its three faces:
 * `narrow` a query to the customers a user may see, `can` say whether a user may act on one, and
 * `flags` give a page its `can.*` switches. Services ask it first; nothing else looks at a role.
 */

/** How the user stands to a customer. */
export type CustomerRelation =
  /** they own it */
  | 'own'
  /** a member of a team they manage owns it */
  | 'team'
  /** nobody owns it, and it is in the part of the public pool (公海) the user sees */
  | 'pool'
  /** anything else: another rep's, another team's, a pool customer outside the user's part */
  | 'other';

export const CUSTOMER_ACTIONS = [
  'view',
  /** change its fields and contacts, delete and restore it */
  'edit',
  'log_follow_up',
  'claim',
  'release',
  'merge',
  /** choose its owner on the form */
  'assign',
  /** include it in an export (for a role the admin gave the export right) */
  'export',
] as const;
export type CustomerAction = (typeof CUSTOMER_ACTIONS)[number];

const MANAGE: CustomerAction[] = ['view', 'edit', 'log_follow_up', 'release', 'merge', 'assign', 'export'];

/** The rules: role × relation → what the user may do. Seeing is `view`; a customer not seen answers 404. */
export const CUSTOMER_RULES: Record<Role, Record<CustomerRelation, readonly CustomerAction[]>> = {
  admin: {
    own: MANAGE,
    team: MANAGE,
    pool: ['view', 'edit', 'log_follow_up', 'merge', 'assign', 'export'],
    other: MANAGE,
  },
  manager: {
    own: MANAGE,
    team: MANAGE,
    pool: ['view', 'edit', 'log_follow_up', 'claim', 'merge', 'assign', 'export'],
    other: [],
  },
  // A rep given the export right exports only their own customers.
  sales: {
    own: ['view', 'edit', 'log_follow_up', 'release', 'export'],
    team: [],
    pool: ['view', 'claim'],
    other: [],
  },
  service: {
    own: ['view', 'export'],
    team: ['view', 'export'],
    pool: ['view', 'export'],
    other: ['view', 'export'],
  },
};

/**
 * Saving a customer that looks like existing ones: may the role add a second copy of a customer
 * another rep owns (撞单), and must they say why (the reason goes in the audit log)? Everyone else
 * saves a look-alike by confirming it.
 */
export const DUPLICATE_RULES: Record<Role, { mayCopyOthers: boolean; reasonRequired: boolean }> = {
  admin: { mayCopyOthers: true, reasonRequired: true },
  manager: { mayCopyOthers: true, reasonRequired: true },
  sales: { mayCopyOthers: false, reasonRequired: false },
  service: { mayCopyOthers: false, reasonRequired: false },
};

/** Roles that may create customers. (Exporting is a right the admin gives per role: export-rights.ts.) */
const MAY_CREATE: readonly Role[] = ['admin', 'manager', 'sales'];

/**
 * A user as the rules see them: the session's user, the members of the teams they manage, and the
 * company's settings the rules depend on.
 */
export interface CustomerActor {
  user: SessionUser;
  /** For a manager, every member of their teams (themselves included); empty for other roles. */
  teamMemberIds: number[];
  /**
   * The admin split the public pool by region (pool settings): a rep then sees the pool customers of
   * their region and those without one. Off: every rep sees the whole pool.
   */
  poolByRegion: boolean;
}

/** What the policy needs of a customer. */
export interface CustomerSubject {
  ownerId: number | null;
  status: string;
  province: string | null;
}

/**
 * The part of the pool a sales rep sees: all of it, whatever the customer's status and province;
 * where the pool is split by region, the customers of the rep's region and those without one.
 */
const inRepsPool = (actor: CustomerActor, c: CustomerSubject) =>
  !actor.poolByRegion || c.province === null || c.province === '' || c.province === actor.user.region;

export function relationOf(actor: CustomerActor, c: CustomerSubject): CustomerRelation {
  if (c.ownerId === null) return actor.user.role !== 'sales' || inRepsPool(actor, c) ? 'pool' : 'other';
  if (c.ownerId === actor.user.id) return 'own';
  if (actor.teamMemberIds.includes(c.ownerId)) return 'team';
  return 'other';
}

export function can(actor: CustomerActor, action: CustomerAction, c: CustomerSubject): boolean {
  return CUSTOMER_RULES[actor.user.role][relationOf(actor, c)].includes(action);
}

/** The page's switches for one customer: `can.edit`, `can.claim`… */
export function flags(actor: CustomerActor, c: CustomerSubject): Record<CustomerAction, boolean> {
  const allowed = CUSTOMER_RULES[actor.user.role][relationOf(actor, c)];
  return Object.fromEntries(CUSTOMER_ACTIONS.map((a) => [a, allowed.includes(a)])) as Record<
    CustomerAction,
    boolean
  >;
}

/**
 * The customers on which `action` is allowed, by owner: every customer, or those of these owners
 * plus, when `pool` is set, the public pool (only its `poolRegion` part and customers without a
 * province, where the pool is split by region). Lists read it as one index scan per owner.
 */
export type OwnerScope =
  { everyone: true } | { everyone: false; ownerIds: number[]; pool: boolean; poolRegion: string | null };

export function ownerScope(actor: CustomerActor, action: CustomerAction): OwnerScope {
  const rules = CUSTOMER_RULES[actor.user.role];
  if (rules.other.includes(action)) return { everyone: true };
  const ownerIds = new Set<number>();
  if (rules.own.includes(action)) ownerIds.add(actor.user.id);
  if (rules.team.includes(action)) for (const id of actor.teamMemberIds) ownerIds.add(id);
  const pool = rules.pool.includes(action);
  const split = pool && actor.user.role === 'sales' && actor.poolByRegion;
  return {
    everyone: false,
    ownerIds: [...ownerIds].sort((x, y) => x - y),
    pool,
    poolRegion: split ? (actor.user.region ?? '') : null,
  };
}

/** The pool customers of `scope` as a SQL condition on the customer aliased `alias`. */
export function poolCondition(
  scope: Extract<OwnerScope, { everyone: false }>,
  alias: string,
  region: string,
): string {
  return scope.poolRegion === null
    ? `${alias}.owner_id IS NULL`
    : `(${alias}.owner_id IS NULL AND (${alias}.province IS NULL OR ${alias}.province = '' OR ${alias}.province = ${region}))`;
}

/**
 * The customers on which `action` is allowed, as a SQL condition on the customer aliased `alias`
 * ('true' when every customer qualifies). Parameters are named `policy*`.
 */
export function conditionFor(
  actor: CustomerActor,
  action: CustomerAction,
  alias: string,
): { sql: string; params: Record<string, unknown> } {
  const scope = ownerScope(actor, action);
  if (scope.everyone) return { sql: 'true', params: {} };
  const parts: string[] = [];
  if (scope.ownerIds.length) parts.push(`${alias}.owner_id = ANY(:policyOwnerIds)`);
  if (scope.pool) parts.push(poolCondition(scope, alias, ':policyRegion'));
  return {
    sql: parts.length ? `(${parts.join(' OR ')})` : 'false',
    params: { policyOwnerIds: scope.ownerIds, policyRegion: scope.poolRegion ?? '' },
  };
}

@Injectable()
export class CustomerPolicy {
  constructor(
    private readonly users: UsersService,
    private readonly settings: SettingsService,
  ) {}

  /** Who may export customers is the admin's choice: this section of /admin/settings. */
  readonly exportRightsSection: SettingsSection<ExportRights> = {
    key: EXPORT_KEY,
    titleKey: 'export_rights.title',
    helpKey: 'export_rights.help',
    partial: 'settings-export',
    defaults: EXPORT_DEFAULTS,
    dto: ExportRightsDto,
  };

  /** The user with what the rules need to know of them. */
  async actor(user: SessionUser): Promise<CustomerActor> {
    const teamMemberIds =
      user.role === 'manager' && user.teamIds.length ? await this.users.teamMemberIds(user.teamIds) : [];
    // Only a rep's view of the pool depends on the split, so only they pay for reading it.
    const poolByRegion =
      user.role === 'sales' && (await this.settings.get(POOL_KEY, POOL_DEFAULTS)).value.byRegion;
    return { user, teamMemberIds, poolByRegion };
  }

  /** Narrows a query over customers (aliased `alias`) to those the user may see (or act on). */
  narrow<Q extends WhereExpressionBuilder>(
    qb: Q,
    actor: CustomerActor,
    alias: string,
    action: CustomerAction = 'view',
  ): Q {
    const { sql, params } = conditionFor(actor, action, alias);
    return sql === 'true' ? qb : qb.andWhere(new Brackets((w) => w.where(sql, params)));
  }

  can = can;
  flags = flags;

  /** Refuses an action: a customer the user cannot see is not found, one they see but may not touch is forbidden. */
  assert(actor: CustomerActor, action: CustomerAction, c: CustomerSubject): void {
    if (!can(actor, 'view', c)) throw new NotFound();
    if (!can(actor, action, c)) throw new NotAllowed();
  }

  mayCreate(user: SessionUser): boolean {
    return MAY_CREATE.includes(user.role);
  }

  /** Has the admin given the user's role the right to export customers (export settings)? */
  async mayExport(user: SessionUser): Promise<boolean> {
    const { value } = await this.settings.get<ExportRights>(EXPORT_KEY, EXPORT_DEFAULTS);
    return value[user.role] === true;
  }

  /** May the user assign, transfer or release several customers at once (the list's bulk actions)? */
  mayBulkAssign(actor: CustomerActor): boolean {
    return this.assignableTeams(actor) !== false;
  }

  /** May the user claim from the public pool at all (the pool page's Claim buttons)? */
  mayClaim(user: SessionUser): boolean {
    return CUSTOMER_RULES[user.role].pool.includes('claim');
  }

  /** May the user log follow-ups on some customers (the "log a follow-up" button on My day)? */
  mayLogFollowUps(user: SessionUser): boolean {
    return Object.values(CUSTOMER_RULES[user.role]).some((actions) => actions.includes('log_follow_up'));
  }

  /**
   * Whom the user may make a customer's owner: the members of which teams (null: anyone's), or
   * nobody (false) when they may not choose an owner at all.
   */
  assignableTeams(actor: CustomerActor): number[] | null | false {
    const rules = CUSTOMER_RULES[actor.user.role];
    if (rules.other.includes('assign')) return null;
    return rules.team.includes('assign') ? actor.user.teamIds : false;
  }
}

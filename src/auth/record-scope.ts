import { Brackets, type WhereExpressionBuilder } from 'typeorm';
import type { SessionUser } from '../common/session-user.js';

/**
 * Who sees what (DESIGN.md), in one place. Every query that lists or loads records goes through
 * these; a record outside the scope is simply not found (404).
 *
 * - admin: everything.            - manager: their teams' records (own and managed) and the unowned pool.
 * - sales: what they own, plus unowned leads in their region.
 * - service: every customer, read-only.
 */
export const RecordScope = {
  /** Narrows a query over customers (aliased `alias`) to those `user` may see. */
  customers<Q extends WhereExpressionBuilder>(qb: Q, user: SessionUser, alias: string): Q {
    switch (user.role) {
      case 'admin':
      case 'service':
        return qb;
      case 'manager':
        return qb.andWhere(
          new Brackets((w) =>
            w
              .where(`${alias}.owner_id IS NULL`)
              .orWhere(
                `${alias}.owner_id IN (SELECT u.id FROM app_user u WHERE u.team_id = ANY(:scopeTeamIds))`,
                {
                  scopeTeamIds: user.teamIds,
                },
              ),
          ),
        );
      case 'sales':
        return qb.andWhere(
          new Brackets((w) =>
            w
              .where(`${alias}.owner_id = :scopeUserId`, { scopeUserId: user.id })
              .orWhere(
                `(${alias}.owner_id IS NULL AND ${alias}.status = 'lead' AND ${alias}.province = :scopeRegion)`,
                { scopeRegion: user.region ?? '' },
              ),
          ),
        );
    }
  },

  /** May `user` change a customer owned by `owner` (null: unowned)? Seeing it is decided above. */
  canEditCustomer(user: SessionUser, owner: { id: number; teamId: number | null } | null): boolean {
    switch (user.role) {
      case 'admin':
        return true;
      case 'manager':
        return owner === null || (owner.teamId !== null && user.teamIds.includes(owner.teamId));
      case 'sales':
        return owner !== null && owner.id === user.id;
      case 'service':
        return false;
    }
  },

  /**
   * canEditCustomer as a SQL condition, for statements over many customers at once: `owner` and
   * `ownerTeam` name the owner's id and team columns. The user's ids are integers from the session,
   * written in as numbers.
   */
  canEditCustomerSql(user: SessionUser, owner: string, ownerTeam: string): string {
    switch (user.role) {
      case 'admin':
        return 'true';
      case 'manager':
        return `(${owner} IS NULL OR coalesce(${ownerTeam} = ANY('{${user.teamIds.map(Number).join(',')}}'::int[]), false))`;
      case 'sales':
        return `(${owner} IS NOT NULL AND ${owner} = ${Number(user.id)})`;
      case 'service':
        return 'false';
    }
  },

  /** Who may create customers at all. */
  canCreateCustomer(user: SessionUser): boolean {
    return user.role !== 'service';
  },
};

import { Injectable } from '@nestjs/common';
import { DomainError, NotFound } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { UsersService } from '../users/users.service.js';
import type { DashboardScope, DashboardSections } from './dashboard.types.js';

/**
 * Who sees which figures (DESIGN.md, "Who sees what"): the admin everyone's, narrowed at will to a team
 * or a person; a manager their teams' (their own included), narrowed to one of those teams or members;
 * a rep and a service agent their own version, the filters ignored. A team or person outside what a
 * user may see answers 404, as a record would. A team and a person chosen together narrow to the
 * person, who must be of that team: a person of another team is refused (RepOutsideTeam), never shown
 * under the team's name.
 */

/** How each role's dashboard is scoped and which parts it shows. */
export const DASHBOARD_RULES: Record<
  Role,
  { reach: 'everyone' | 'teams' | 'own'; sections: DashboardSections }
> = {
  admin: { reach: 'everyone', sections: { sales: true, service: true, customers: true } },
  manager: { reach: 'teams', sections: { sales: true, service: true, customers: true } },
  sales: { reach: 'own', sections: { sales: true, service: true, customers: true } },
  service: { reach: 'own', sections: { sales: false, service: true, customers: false } },
};

/** What the policy knows of the people: every user's team, to turn a team into its members. */
export interface Member {
  id: number;
  teamId: number | null;
  name?: string;
}

/** A person chosen with a team they are not of (team West and a rep of East): which did the user mean? */
export class RepOutsideTeam extends DomainError {
  constructor(params: { rep: string; team: string }) {
    super(422, 'dashboard.filter.rep_outside_team', params);
  }
}

/** The filter a user chose on the page. */
export interface ScopeFilter {
  team?: number;
  rep?: number;
}

/** The scope of `user`'s dashboard under `filter`, given everyone's team (and the teams' names, for a refusal). */
export function scopeOf(
  user: SessionUser,
  filter: ScopeFilter,
  members: readonly Member[],
  teamNames: ReadonlyMap<number, string> = new Map(),
): DashboardScope {
  const reach = DASHBOARD_RULES[user.role].reach;
  if (reach === 'own') return { userIds: [user.id], teamIds: [] };
  const teams = reach === 'everyone' ? null : user.teamIds;
  const membersOf = (teamIds: number[]) =>
    members.filter((m) => m.teamId !== null && teamIds.includes(m.teamId)).map((m) => m.id);
  const visible = teams === null ? null : [...new Set([user.id, ...membersOf(teams)])].sort((a, b) => a - b);
  if (filter.team !== undefined && teams !== null && !teams.includes(filter.team)) throw new NotFound();
  if (filter.rep !== undefined) {
    const rep = members.find((m) => m.id === filter.rep);
    if (!rep || (visible !== null && !visible.includes(rep.id))) throw new NotFound();
    if (filter.team !== undefined && rep.teamId !== filter.team)
      throw new RepOutsideTeam({
        rep: rep.name ?? `#${rep.id}`,
        team: teamNames.get(filter.team) ?? `#${filter.team}`,
      });
    return { userIds: [filter.rep], teamIds: [] };
  }
  if (filter.team !== undefined) return { userIds: membersOf([filter.team]), teamIds: [filter.team] };
  return teams === null ? { userIds: null, teamIds: [] } : { userIds: visible ?? [], teamIds: teams };
}

/** Whether the user may narrow the dashboard to a team or a person (and so sees those filters). */
export function mayFilter(user: SessionUser): boolean {
  return DASHBOARD_RULES[user.role].reach !== 'own';
}

@Injectable()
export class DashboardPolicy {
  constructor(private readonly users: UsersService) {}

  async scope(user: SessionUser, filter: ScopeFilter): Promise<DashboardScope> {
    if (!mayFilter(user)) return scopeOf(user, {}, []);
    const teamNames =
      filter.team !== undefined && filter.rep !== undefined
        ? await this.users.teamNamesOf([filter.team])
        : new Map<number, string>();
    return scopeOf(user, filter, await this.users.everyone(), teamNames);
  }

  /**
   * What the page shows the user: a service desk's lead (below) sees what an agent sees, as their
   * teams sell nothing and own no customers: their sales and customers would be screens of zeros.
   */
  async sections(user: SessionUser): Promise<DashboardSections> {
    return (await this.leadsWithService(user))
      ? DASHBOARD_RULES.service.sections
      : DASHBOARD_RULES[user.role].sections;
  }

  /**
   * Whether the page leads with service: for an agent, and for a manager whose teams are all service
   * agents (a service desk's lead), whose sales figures would be a screen of zeros before theirs.
   */
  async leadsWithService(user: SessionUser): Promise<boolean> {
    if (user.role === 'service') return true;
    if (user.role !== 'manager' || !user.teamIds.length) return false;
    const members = (await this.users.everyone()).filter(
      (u) => u.id !== user.id && u.teamId !== null && user.teamIds.includes(u.teamId),
    );
    return members.length > 0 && members.every((u) => u.role === 'service');
  }

  mayFilter = mayFilter;

  /** The teams (ids) and people (with their team) a user may narrow the dashboard to. */
  async choices(
    user: SessionUser,
  ): Promise<{ teamIds: number[] | null; people: { id: number; name: string; teamId: number | null }[] }> {
    if (!mayFilter(user)) return { teamIds: [], people: [] };
    const everyone = await this.users.everyone();
    const teams = DASHBOARD_RULES[user.role].reach === 'everyone' ? null : user.teamIds;
    const people = everyone
      .filter(
        (u) =>
          u.active &&
          u.role !== 'admin' &&
          (teams === null || u.id === user.id || (u.teamId !== null && teams.includes(u.teamId))),
      )
      .map((u) => ({ id: u.id, name: u.name, teamId: u.teamId }));
    return { teamIds: teams, people };
  }
}

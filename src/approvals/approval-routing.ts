import type { Fen } from '../common/money.js';
import type { Role } from '../common/roles.js';
import type { ApprovalMode, ApprovalStepPlan } from './approvals.types.js';

/**
 * Who approves what, as pure functions of the people they are given (the users directory): the
 * contract's routing by amount, the manager step quotes use, and the stand-in for a deactivated
 * approver. ApprovalsService feeds them; approval-routing.spec.ts is their table.
 */

/** A user as routing sees them. */
export interface RoutingPerson {
  id: number;
  role: Role;
  active: boolean;
  teamId: number | null;
  /** The teams this user manages. */
  managedTeamIds: number[];
}

/** The approval rules an admin sets at /admin/settings. */
export interface RoutingRules {
  /** Up to this amount the manager step alone decides. */
  threshold: Fen;
  /** Who approves above the threshold, after the manager. */
  generalManagerIds: number[];
  generalManagerMode: ApprovalMode;
}

export const MANAGER_STEP = 'approval.step.manager';
export const GENERAL_MANAGERS_STEP = 'approval.step.general_managers';

const byId = (people: RoutingPerson[]) => new Map(people.map((p) => [p.id, p]));

/** The active managers of the user's team, the user excepted, lowest id first. */
export function managersOf(userId: number, people: RoutingPerson[]): number[] {
  const teamId = byId(people).get(userId)?.teamId ?? null;
  if (teamId === null) return [];
  return people
    .filter((p) => p.active && p.id !== userId && p.managedTeamIds.includes(teamId))
    .map((p) => p.id)
    .sort((a, b) => a - b);
}

/** The active admins, `except` left out unless nobody else is one; lowest id first. */
export function adminsOf(people: RoutingPerson[], except?: number): number[] {
  const admins = people
    .filter((p) => p.active && p.role === 'admin')
    .map((p) => p.id)
    .sort((a, b) => a - b);
  const others = admins.filter((id) => id !== except);
  return others.length ? others : admins;
}

/**
 * The step in which a record's owner's manager approves (或签 when there are several); an owner
 * without a manager (no team, a team without one, or the manager themselves) goes to the admins.
 */
export function managerStep(ownerId: number, people: RoutingPerson[]): ApprovalStepPlan {
  const managers = managersOf(ownerId, people);
  return {
    mode: 'any',
    approverIds: managers.length ? managers : adminsOf(people, ownerId),
    labelKey: MANAGER_STEP,
  };
}

/**
 * A contract's route: up to the threshold (inclusive) its owner's manager; above it the manager and
 * then the general managers the admin chose, in the mode the admin chose. With no general managers
 * chosen the manager step is the whole route.
 */
export function routeByAmount(
  ownerId: number,
  amount: Fen,
  rules: RoutingRules,
  people: RoutingPerson[],
): ApprovalStepPlan[] {
  const steps = [managerStep(ownerId, people)];
  const generalManagers = [...new Set(rules.generalManagerIds)];
  if (amount > rules.threshold && generalManagers.length)
    steps.push({
      mode: rules.generalManagerMode,
      approverIds: generalManagers,
      labelKey: GENERAL_MANAGERS_STEP,
    });
  return steps;
}

/**
 * Who stands in for a deactivated approver: their team's manager, else (no manager, or they are
 * the manager) the first active admin who is not them; never `except` (the requester of the round).
 * Null when nobody can.
 */
export function substituteFor(
  userId: number,
  people: RoutingPerson[],
  except: number | null = null,
): number | null {
  const manager = managersOf(userId, people).find((id) => id !== except);
  if (manager !== undefined) return manager;
  return adminsOf(people).find((id) => id !== userId && id !== except) ?? null;
}

/** An approver as a step will hold them: who decides, and whom they stand in for. */
export interface SeatedApprover {
  userId: number;
  replacedFrom: number | null;
}

/**
 * A step's approvers as submitted: each inactive one replaced by their substitute (substituteFor),
 * nobody twice. An inactive approver nobody can stand in for, or an id that is no user's, is dropped.
 * Nobody approves their own request while someone else can: the requester (a general manager
 * submitting their own contract) is left out, and a step left empty by that goes to the requester's
 * own substitute; only when there is none (the company's one admin) does the requester decide.
 */
export function seatApprovers(
  approverIds: number[],
  people: RoutingPerson[],
  requester: number | null = null,
): SeatedApprover[] {
  const known = byId(people);
  const seated: SeatedApprover[] = [];
  let passedOver = false;
  for (const id of approverIds) {
    // An id that is nobody's (a general manager's account deleted since) seats no one.
    if (!known.has(id)) continue;
    const active = known.get(id)!.active;
    if (active && id === requester) {
      passedOver = true;
      continue;
    }
    const userId = active ? id : substituteFor(id, people, requester);
    if (userId === null) passedOver ||= requester !== null && substituteFor(id, people) === requester;
    if (userId === null || seated.some((s) => s.userId === userId)) continue;
    seated.push({ userId, replacedFrom: active ? null : id });
  }
  if (!seated.length && passedOver && requester !== null)
    seated.push({ userId: substituteFor(requester, people) ?? requester, replacedFrom: null });
  return seated;
}

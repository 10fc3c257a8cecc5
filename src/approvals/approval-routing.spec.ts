import { describe, expect, it } from 'vitest';
import { fen, yuan } from '../common/money.js';
import {
  GENERAL_MANAGERS_STEP,
  managerStep,
  MANAGER_STEP,
  routeByAmount,
  type RoutingPerson,
  type RoutingRules,
  seatApprovers,
  substituteFor,
} from './approval-routing.js';

/**
 * A small company: admins 1 and 2; team 10 managed by 5 with reps 20 and 21; team 11 managed by 6
 * (rep 30) and also by 7; team 12 without a manager (rep 40); rep 50 in no team; general managers 8
 * and 9; 99 a deactivated general manager; 60 a deactivated rep of team 10.
 */
const person = (
  id: number,
  role: RoutingPerson['role'],
  teamId: number | null,
  managed: number[] = [],
  active = true,
) => ({
  id,
  role,
  active,
  teamId,
  managedTeamIds: managed,
});
const PEOPLE: RoutingPerson[] = [
  person(1, 'admin', null),
  person(2, 'admin', null),
  person(5, 'manager', 10, [10]),
  person(6, 'manager', 11, [11]),
  person(7, 'manager', null, [11]),
  person(8, 'manager', null),
  person(9, 'manager', null),
  person(20, 'sales', 10),
  person(21, 'sales', 10),
  person(30, 'sales', 11),
  person(40, 'sales', 12),
  person(50, 'sales', null),
  person(60, 'sales', 10, [], false),
  person(99, 'manager', null, [], false),
];

const RULES: RoutingRules = {
  threshold: yuan(100_000),
  generalManagerIds: [8, 9],
  generalManagerMode: 'all',
};

describe('routeByAmount', () => {
  const manager = { mode: 'any', approverIds: [5], labelKey: MANAGER_STEP };

  it.each([
    ['below the threshold', yuan(99_999), [manager]],
    ['at the threshold', yuan(100_000), [manager]],
    [
      'one fen above it',
      fen(10_000_001),
      [manager, { mode: 'all', approverIds: [8, 9], labelKey: GENERAL_MANAGERS_STEP }],
    ],
  ])('%s: %j', (_, amount, steps) => {
    expect(routeByAmount(20, amount, RULES, PEOPLE)).toEqual(steps);
  });

  it('takes the general managers in the mode the admin chose (或签)', () => {
    expect(routeByAmount(20, yuan(500_000), { ...RULES, generalManagerMode: 'any' }, PEOPLE)[1]).toEqual({
      mode: 'any',
      approverIds: [8, 9],
      labelKey: GENERAL_MANAGERS_STEP,
    });
  });

  it('has the manager step alone when no general managers are chosen', () => {
    expect(routeByAmount(20, yuan(500_000), { ...RULES, generalManagerIds: [] }, PEOPLE)).toEqual([manager]);
  });
});

describe('managerStep', () => {
  it.each([
    ['a rep: their team manager', 20, [5]],
    ['a team with two managers: either (或签)', 30, [6, 7]],
    ['a team without a manager: the admins', 40, [1, 2]],
    ['no team: the admins', 50, [1, 2]],
    ['the manager themselves: the admins', 5, [1, 2]],
    ['an admin: the other admins', 1, [2]],
  ])('%s', (_, owner, approvers) => {
    expect(managerStep(owner, PEOPLE)).toEqual({
      mode: 'any',
      approverIds: approvers,
      labelKey: MANAGER_STEP,
    });
  });

  it('never routes to a deactivated manager', () => {
    const people = PEOPLE.map((p) => (p.id === 5 ? { ...p, active: false } : p));
    expect(managerStep(20, people).approverIds).toEqual([1, 2]);
  });
});

describe('a deactivated approver', () => {
  it('is stood in for by their team manager, else an admin (also when they are the manager)', () => {
    expect(substituteFor(60, PEOPLE)).toBe(5);
    expect(substituteFor(99, PEOPLE)).toBe(1);
    expect(substituteFor(5, PEOPLE)).toBe(1);
    expect(substituteFor(1, PEOPLE)).toBe(2);
  });

  it('is substituted when a round is submitted, naming whom the substitute stands in for', () => {
    expect(seatApprovers([8, 99], PEOPLE)).toEqual([
      { userId: 8, replacedFrom: null },
      { userId: 1, replacedFrom: 99 },
    ]);
  });

  it('seats nobody for an id that is no user', () => {
    expect(seatApprovers([12345, 8], PEOPLE)).toEqual([{ userId: 8, replacedFrom: null }]);
  });

  it('gives nobody a second seat on a step', () => {
    expect(seatApprovers([5, 60], PEOPLE)).toEqual([{ userId: 5, replacedFrom: null }]);
    expect(seatApprovers([8, 8], PEOPLE)).toEqual([{ userId: 8, replacedFrom: null }]);
  });

  it('never seats the requester on their own request', () => {
    // A general manager (8) submits a contract of their own: the other general manager decides.
    expect(seatApprovers([8, 9], PEOPLE, 8)).toEqual([{ userId: 9, replacedFrom: null }]);
    // The only general manager, a rep of team 10 (20), submits: their manager decides that step.
    expect(seatApprovers([20], PEOPLE, 20)).toEqual([{ userId: 5, replacedFrom: null }]);
    // Nor as a deactivated approver's substitute: the admin after them does.
    expect(seatApprovers([99], PEOPLE, 1)).toEqual([{ userId: 2, replacedFrom: 99 }]);
  });

  it('lets the requester decide only when nobody else can (a company with one admin)', () => {
    const alone = [person(1, 'admin', null), person(99, 'manager', null, [], false)];
    expect(seatApprovers([1], alone, 1)).toEqual([{ userId: 1, replacedFrom: null }]);
    expect(seatApprovers([99], alone, 1)).toEqual([{ userId: 1, replacedFrom: null }]);
  });

  it('routes a contract above the threshold around a deactivated general manager', () => {
    const [, gms] = routeByAmount(20, yuan(200_000), { ...RULES, generalManagerIds: [8, 99] }, PEOPLE);
    expect(seatApprovers(gms.approverIds, PEOPLE).map((s) => s.userId)).toEqual([8, 1]);
  });
});

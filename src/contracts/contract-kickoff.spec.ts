import { describe, expect, it } from 'vitest';
import { kickoffAssignee, successorOf } from './contract-kickoff.js';

const person = (id: number, role: string, teamId: number | null, active = true) => ({
  id,
  role,
  teamId,
  active,
});

describe('kickoffAssignee', () => {
  const owner = person(10, 'sales', 1);
  it.each([
    [
      'the first active service user of the owner’s team',
      [owner, person(30, 'service', 2), person(21, 'service', 1), person(20, 'service', 1, false)],
      21,
    ],
    [
      'else the first active service user anywhere',
      [owner, person(31, 'service', 3), person(30, 'service', 2)],
      30,
    ],
    ['else the owner', [owner, person(30, 'service', 1, false), person(40, 'manager', 1)], 10],
    ['an owner without a team: any service user', [person(10, 'sales', null), person(30, 'service', 2)], 30],
  ])('%s', (_, people, expected) => {
    expect(kickoffAssignee(10, people)).toBe(expected);
  });
});

describe('successorOf', () => {
  it('gives a leaving service user’s tasks to another of their team, else anyone in service, else the admin', () => {
    const leaving = person(21, 'service', 1);
    expect(successorOf(21, [leaving, person(22, 'service', 1), person(30, 'service', 2)], 1)).toBe(22);
    expect(successorOf(21, [leaving, person(30, 'service', 2)], 1)).toBe(30);
    expect(successorOf(21, [leaving, person(22, 'service', 1, false)], 1)).toBe(1);
  });
});

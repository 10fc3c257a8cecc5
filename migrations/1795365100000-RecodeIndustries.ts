import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Industries become the 20 sections of GB/T 4754-2017, coded by their letter. Each earlier code moves
 * to the section it belongs to: food (食品饮料) is manufacturing, IT is section I, business services
 * L. "Other" names no section, so it becomes no industry. Down moves each section back to the earlier
 * code most of its customers had (F to wholesale; sections with no earlier code to other).
 */
const UP: [from: string, to: string | null][] = [
  ['agriculture', 'A'],
  ['manufacturing', 'C'],
  ['food', 'C'],
  ['energy', 'D'],
  ['construction', 'E'],
  ['wholesale', 'F'],
  ['retail', 'F'],
  ['logistics', 'G'],
  ['it', 'I'],
  ['finance', 'J'],
  ['services', 'L'],
  ['education', 'P'],
  ['healthcare', 'Q'],
  ['other', null],
];

const DOWN: [from: string, to: string][] = [
  ['A', 'agriculture'],
  ['C', 'manufacturing'],
  ['D', 'energy'],
  ['E', 'construction'],
  ['F', 'wholesale'],
  ['G', 'logistics'],
  ['I', 'it'],
  ['J', 'finance'],
  ['L', 'services'],
  ['P', 'education'],
  ['Q', 'healthcare'],
];

const SECTIONS = 'ABCDEFGHIJKLMNOPQRST'.split('');
const EARLIER = [
  'manufacturing',
  'retail',
  'wholesale',
  'it',
  'finance',
  'construction',
  'logistics',
  'healthcare',
  'education',
  'food',
  'energy',
  'agriculture',
  'services',
  'other',
];

export class RecodeIndustries1795365100000 implements MigrationInterface {
  name = 'RecodeIndustries1795365100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await recode(queryRunner, UP, SECTIONS, null);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await recode(queryRunner, DOWN, EARLIER, 'other');
  }
}

/** Codes in `map` move to their new code; any code then not among `codes` becomes `leftover`. */
async function recode(
  queryRunner: QueryRunner,
  map: [string, string | null][],
  codes: string[],
  leftover: string | null,
): Promise<void> {
  await queryRunner.query(
    `UPDATE "customer" c SET "industry" = m."to"
       FROM unnest($1::text[], $2::text[]) AS m("from", "to") WHERE c."industry" = m."from"`,
    [map.map(([from]) => from), map.map(([, to]) => to)],
  );
  await queryRunner.query(
    `UPDATE "customer" SET "industry" = $2 WHERE "industry" IS NOT NULL AND NOT ("industry" = ANY($1::text[]))`,
    [codes, leftover],
  );
}

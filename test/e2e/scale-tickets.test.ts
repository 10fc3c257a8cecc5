import { afterAll, describe, expect, inject, it } from 'vitest';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { ENTITIES } from '../../src/entities.js';
import { seedScaleTickets } from '../../src/seed/scale-tickets.js';
import { SeedService } from '../../src/seed/seed.service.js';
import { copyTemplateDatabase } from '../helpers/app.js';
import { dropDatabase } from '../helpers/databases.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

describe('the benchmark’s tickets', () => {
  it('fill every status as a help desk’s history does, numbered on from the ticket numbering', async () => {
    const { name, url } = await copyTemplateDatabase();
    cleanup.push(() => dropDatabase(inject('serverUrl'), name));
    const ds = await new DataSource(dataSourceOptions(url, { entities: ENTITIES })).initialize();
    try {
      const seed = new SeedService(ds);
      await seed.seedDemoOnce(10);
      await seed.seedScale(500);
      const before = (await ds.query(`SELECT count(*)::int AS n FROM ticket`))[0].n as number;
      expect(await seedScaleTickets(ds, before + 5000)).toBe(before + 5000);
      const [t] = await ds.query(
        `SELECT count(*)::int AS n, count(DISTINCT number)::int AS numbers, count(DISTINCT tracking_token)::int AS tokens,
                count(*) FILTER (WHERE status = 'closed')::int AS closed,
                count(*) FILTER (WHERE status IN ('new', 'open', 'pending'))::int AS open,
                count(DISTINCT status)::int AS statuses,
                count(*) FILTER (WHERE status = 'new' AND assignee_id IS NULL)::int AS unassigned,
                count(*) FILTER (WHERE assignee_id IS NOT NULL AND team_id IS NULL)::int AS teamless,
                (SELECT count(*)::int FROM ticket tt WHERE NOT EXISTS (SELECT 1 FROM ticket_message m WHERE m.ticket_id = tt.id)) AS silent
           FROM ticket`,
      );
      expect(t).toMatchObject({
        n: before + 5000,
        numbers: before + 5000,
        tokens: before + 5000,
        statuses: 5,
        teamless: 0,
        silent: 0,
      });
      // Nearly all closed; the open ones those of the last days.
      expect(t.closed).toBeGreaterThan(0.95 * 5000);
      expect(t.open).toBeGreaterThan(0);
      expect(t.unassigned).toBeGreaterThan(0);
      // The numbering continues after the generated tickets.
      const [seq] = await ds.query(`SELECT last FROM number_sequence WHERE name = 'ticket' AND year = 0`);
      const [top] = await ds.query(`SELECT max(substring(number from 3)::int) AS n FROM ticket`);
      expect(seq.last).toBe(top.n);
      // A total already reached adds nothing.
      expect(await seedScaleTickets(ds, 10)).toBe(before + 5000);
    } finally {
      await ds.destroy();
    }
  }, 120_000);
});

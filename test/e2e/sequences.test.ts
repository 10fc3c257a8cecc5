import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DataSource } from 'typeorm';
import { SequencesRepository } from '../../src/common/sequences/sequences.repository.js';
import { SequencesService } from '../../src/common/sequences/sequences.service.js';
import { loadConfig } from '../../src/config/config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { copyTemplateDatabase, dropDatabase } from '../helpers/databases.js';

const SHANGHAI_2026 = new Date('2026-06-01T00:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `promise` has settled, or says it has not after `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

describe('SequencesService', () => {
  let name: string;
  let ds: DataSource;
  let sequences: SequencesService;
  const dataDir = mkdtempSync(join(tmpdir(), 'kehu-data-'));

  beforeAll(async () => {
    const db = await copyTemplateDatabase();
    name = db.name;
    ds = await new DataSource(dataSourceOptions(db.url, { poolSize: 60 })).initialize();
    const config = loadConfig({
      NODE_ENV: 'test',
      SESSION_SECRET: 'test-secret-test-secret-test-secret',
      DATA_DIR: dataDir,
      DEFAULT_TIMEZONE: 'Asia/Shanghai',
    });
    sequences = new SequencesService(new SequencesRepository(), config);
  });

  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(inject('serverUrl'), name);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const last = async (kind: string, year: number) =>
    (await ds.query(`SELECT last FROM number_sequence WHERE name = $1 AND year = $2`, [kind, year]))[0]
      ?.last as number | undefined;

  it('gives 50 parallel transactions exactly the numbers 0001 to 0050', async () => {
    const numbers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ds.transaction(async (m) => {
          const n = await sequences.next(m, 'quote', SHANGHAI_2026);
          // The record's own writes happen while the number is held.
          await sleep(i % 5);
          return n;
        }),
      ),
    );
    expect(numbers.toSorted()).toEqual(
      Array.from({ length: 50 }, (_, i) => `BJ-2026-${String(i + 1).padStart(4, '0')}`),
    );
    expect(await last('quote', 2026)).toBe(50);
  });

  it('takes back the number of a transaction that rolls back, so no gap is left', async () => {
    const at = new Date('2040-03-01T00:00:00Z');
    await ds.transaction((m) => sequences.next(m, 'contract', at));
    await expect(
      ds.transaction(async (m) => {
        expect(await sequences.next(m, 'contract', at)).toBe('HT-2040-0002');
        throw new Error('the contract failed a check');
      }),
    ).rejects.toThrow(/failed a check/);
    expect(await ds.transaction((m) => sequences.next(m, 'contract', at))).toBe('HT-2040-0002');

    // A year's first number rolled back leaves no row behind: the next one is 0001 again.
    const first = new Date('2041-03-01T00:00:00Z');
    await ds
      .transaction(async (m) => {
        await sequences.next(m, 'contract', first);
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect(await last('contract', 2041)).toBeUndefined();
    expect(await ds.transaction((m) => sequences.next(m, 'contract', first))).toBe('HT-2041-0001');
  });

  it('makes a parallel creation wait for the number, and gives it the number a rollback returned', async () => {
    const at = new Date('2042-05-01T00:00:00Z');
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      expect(await sequences.next(runner.manager, 'quote', at)).toBe('BJ-2042-0001');
      const waiting = ds.transaction((m) => sequences.next(m, 'quote', at));
      expect(await settledWithin(waiting, 300)).toBe(false);
      await runner.rollbackTransaction();
      expect(await waiting).toBe('BJ-2042-0001');
    } finally {
      await runner.release();
    }
  });

  it('starts the yearly numbers again at midnight in Shanghai, not in UTC', async () => {
    const next = (at: string) => ds.transaction((m) => sequences.next(m, 'contract', new Date(at)));
    expect(await next('2026-12-31T15:59:59Z')).toBe('HT-2026-0001');
    expect(await next('2026-12-31T16:00:00Z')).toBe('HT-2027-0001');
    expect(await next('2026-12-31T16:30:00Z')).toBe('HT-2027-0002');
    // A record dated in the old year still counts on there.
    expect(await next('2026-12-31T15:00:00Z')).toBe('HT-2026-0002');
  });

  it('counts tickets on across years, in six digits', async () => {
    const next = (at: string) => ds.transaction((m) => sequences.next(m, 'ticket', new Date(at)));
    expect(await next('2026-12-31T15:00:00Z')).toBe('T-000001');
    expect(await next('2027-01-05T00:00:00Z')).toBe('T-000002');
    expect(await last('ticket', 0)).toBe(2);
  });

  it('grows past 9999 without breaking', async () => {
    await ds.query(`INSERT INTO number_sequence (name, year, last) VALUES ('quote', 2030, 9998)`);
    const at = new Date('2030-07-01T00:00:00Z');
    expect(await ds.transaction((m) => sequences.next(m, 'quote', at))).toBe('BJ-2030-9999');
    expect(await ds.transaction((m) => sequences.next(m, 'quote', at))).toBe('BJ-2030-10000');
  });

  it('refuses to hand out a number outside a transaction, and spends none', async () => {
    const at = new Date('2050-01-10T00:00:00Z');
    await expect(sequences.next(ds.manager, 'quote', at)).rejects.toThrow(/inside the transaction/);
    expect(await last('quote', 2050)).toBeUndefined();
  });
});

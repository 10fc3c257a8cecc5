import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { type Fen, fen, moneyColumn, moneyTransformer, sumMoney, toNumeric } from '../../src/common/money.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { copyTemplateDatabase, dropDatabase } from '../helpers/databases.js';

/** A table of amounts for this test only, declared as a module's entity would declare its money columns. */
@Entity({ name: 'money_probe' })
class MoneyProbe {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'numeric', precision: 14, scale: 2, transformer: moneyTransformer })
  amount: Fen;

  @Column(moneyColumn({ nullable: true }))
  discount: Fen | null;
}

describe('money in PostgreSQL', () => {
  let name: string;
  let ds: DataSource;

  beforeAll(async () => {
    const db = await copyTemplateDatabase();
    name = db.name;
    const options = dataSourceOptions(db.url);
    ds = await new DataSource({ ...options, entities: [MoneyProbe], migrations: [] }).initialize();
    await ds.query(
      `CREATE TABLE money_probe (id serial PRIMARY KEY, amount numeric(14,2) NOT NULL, discount numeric(14,2))`,
    );
  });

  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(inject('serverUrl'), name);
  });

  it('stores and reads amounts through numeric(14,2) to the fen, the largest included', async () => {
    const amounts = [0, 1, 10, 20, 123450, -5, 99_999_999_999_999].map(fen);
    const repo = ds.getRepository(MoneyProbe);
    await repo.insert(amounts.map((amount, i) => ({ amount, discount: i === 0 ? null : fen(1) })));
    const rows = await repo.find({ order: { id: 'ASC' } });
    expect(rows.map((r) => r.amount)).toEqual(amounts);
    expect(rows[0].discount).toBeNull();
    expect(rows[1].discount).toBe(1);
    // What the database holds is the amount in yuan, exactly.
    const stored = await ds.query(`SELECT amount::text AS amount FROM money_probe ORDER BY id`);
    expect(stored.map((r: { amount: string }) => r.amount)).toEqual(amounts.map(toNumeric));
    expect((await repo.findOneByOrFail({ amount: fen(123450) })).amount).toBe(123450);
  });

  it('sums in the database as sumMoney does in code', async () => {
    await ds.query(`TRUNCATE money_probe`);
    // ¥0.10 + ¥0.20 a thousand times: floats of yuan would drift; fen and numeric do not.
    const amounts = Array.from({ length: 1000 }, (_, i) => fen(i % 2 ? 20 : 10));
    await ds.getRepository(MoneyProbe).insert(amounts.map((amount) => ({ amount })));
    const [row] = await ds.query(`SELECT sum(amount)::text AS total FROM money_probe`);
    expect(moneyTransformer.from(row.total)).toBe(sumMoney(amounts));
    expect(row.total).toBe('150.00');
  });
});

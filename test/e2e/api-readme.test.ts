import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../../src/common/paths.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { makeToken } from '../helpers/api.js';
import { createUser } from '../helpers/factories.js';

/** The README's curl examples work as written, run by bash against a real Kehu with a real token. */
let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

it('runs the API section’s shell example: lists, creates, edits, logs a visit, opens and moves a deal', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## API\n'));
  const script = /```sh\n([\s\S]*?)```/.exec(section)![1];
  expect(script).toContain('export KEHU=http://localhost:3000 TOKEN=kehu_…');
  const rep = await createUser(t.db, { role: 'sales' });
  const token = await makeToken(t, rep);
  const run = script.replace(/^export KEHU=.*$/m, `export KEHU=${t.url} TOKEN=${token}`);
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', run], {
    cwd: mkdtempSync(join(tmpdir(), 'kehu-readme-')),
  });
  const { rows } = await t.db.query(
    `SELECT c.tier, c.owner_id, count(f.id)::int AS visits FROM customer c LEFT JOIN follow_up f ON f.customer_id = c.id
      WHERE c.name = '上海示例贸易有限公司' GROUP BY c.id`,
  );
  expect(rows).toEqual([{ tier: 'A', owner_id: rep.id, visits: 1 }]);
  const { rows: deals } = await t.db.query(
    `SELECT o.stage, o.amount::text AS amount, o.owner_id, array_agg(h.to_stage ORDER BY h.id) AS moves
       FROM opportunity o JOIN customer c ON c.id = o.customer_id
       LEFT JOIN opportunity_stage_change h ON h.opportunity_id = o.id
      WHERE c.name = '上海示例贸易有限公司' AND o.title = 'ERP 升级项目' GROUP BY o.id`,
  );
  expect(deals).toEqual([
    { stage: 'proposal', amount: '480000.00', owner_id: rep.id, moves: ['initial_contact', 'proposal'] },
  ]);
  // The list came first, as JSON; the edit and the visit answered their records.
  expect(stdout).toMatch(/^\{"data":\[/);
  expect(stdout).toContain('"tier":"A"');
  expect(stdout).toContain('"summary":"拜访采购部"');
  expect(stdout).toContain('"stage":"proposal"');
});

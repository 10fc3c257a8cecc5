import pg from 'pg';
import { runningJob } from '../../src/automation/jobs.service.js';

/** A statement as the app sent it. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * A session's stored expiry, renewed at most once a minute (session-store.ts), by whichever request
 * comes then: not a statement of the page that happens to carry it (a slow test run reaches the minute).
 */
const SESSION_RENEWAL = /^UPDATE "session" SET expire = /;

/**
 * Records the statements the app's own pool (application_name kehu) sends, in order, while a recording
 * runs, leaving out those of a background job's run (a scheduled job may fire meanwhile) and a
 * session's renewal: install() once the app is up, uninstall() before it closes.
 */
export class StatementRecorder {
  private recorded: Statement[] | null = null;
  private readonly original = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query')!;

  install(): void {
    const query = this.original.value as (...a: unknown[]) => unknown;
    const record = (statement: Statement) => this.recorded?.push(statement);
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const application = (this as unknown as { connectionParameters: { application_name?: string } })
        .connectionParameters.application_name;
      if (application === 'kehu' && runningJob() === undefined) {
        const [first, second] = args as [
          string | { text: string; values?: unknown[] },
          unknown[] | undefined,
        ];
        const statement =
          typeof first === 'string'
            ? { text: first, values: second ?? [] }
            : { text: first.text, values: first.values ?? [] };
        if (!SESSION_RENEWAL.test(statement.text)) record(statement);
      }
      return query.apply(this, args);
    } as typeof pg.Client.prototype.query;
  }

  uninstall(): void {
    Object.defineProperty(pg.Client.prototype, 'query', this.original);
  }

  /** What `run` answers, and the statements the app sent meanwhile. */
  async during<T>(run: () => Promise<T>): Promise<{ result: T; statements: Statement[] }> {
    this.recorded = [];
    try {
      const result = await run();
      return { result, statements: this.recorded };
    } finally {
      this.recorded = null;
    }
  }
}

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Heap Fetches'?: number;
  Plans?: PlanNode[];
}

/**
 * How a statement, run again under EXPLAIN ANALYZE, reads `table`: whether it scans it sequentially,
 * the indexes it reads it by, how many of its rows it looked at (returned or filtered out), and how
 * many of those it read from the table itself (all but those an index-only scan took from the index
alone).
 */
export async function scansOf(
  db: pg.Pool | pg.Client,
  s: Statement,
  table: string,
): Promise<{ seqScan: boolean; looked: number; fromTable: number; indexes: string[] }> {
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${s.text}`,
    s.values,
  );
  let seqScan = false;
  let looked = 0;
  let fromTable = 0;
  const indexes = new Set<string>();
  const walk = (node: PlanNode) => {
    if (node['Relation Name'] === table) {
      if (node['Node Type'] === 'Seq Scan') seqScan = true;
      if (node['Index Name']) indexes.add(node['Index Name']);
      const rows =
        ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1);
      looked += rows;
      fromTable +=
        node['Node Type'] === 'Index Only Scan'
          ? (node['Heap Fetches'] ?? 0) * (node['Actual Loops'] ?? 1)
          : rows;
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(rows[0]['QUERY PLAN'][0].Plan);
  return { seqScan, looked, fromTable, indexes: [...indexes] };
}

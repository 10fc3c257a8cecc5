import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one load run gave: requests, their latency percentiles, and the answers that were not 200. */
export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  errors: number;
}

/** The Lua hook that makes wrk print its totals and the 50th and 95th percentiles on one line. */
const REPORT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status + e.connect + e.read + e.write + e.timeout))
end
`;

export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // wrk --version prints its usage and exits 1: it is there.
    return (e as { status?: number }).status === 1;
  }
}

/**
 * Drives `url` for `seconds` with `connections` requests in flight: wrk (two threads, one per core)
 * when it is installed, else autocannon from npm.
 */
export async function load(
  url: string,
  cookie: string,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  if (hasWrk()) {
    const script = join(tmpdir(), 'kehu-bench-report.lua');
    writeFileSync(script, REPORT);
    // A long timeout: a slow page counts as slow, not as an error.
    const args = [
      '-t2',
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '60s',
      '-s',
      script,
      '-H',
      `Cookie: ${cookie}`,
      url,
    ];
    const out = await new Promise<string>((resolve, reject) =>
      execFile('wrk', args, (e, stdout) => (e ? reject(e) : resolve(stdout))),
    );
    const line = /^BENCH (\d+) (\d+) (\d+) (\d+) (\d+)$/m.exec(out);
    if (!line) throw new Error(`wrk said: ${out}`);
    const [requests, micros, p50, p95, errors] = line.slice(1).map(Number);
    return {
      requests,
      seconds: micros / 1e6,
      perSecond: requests / (micros / 1e6),
      p50: p50 / 1000,
      p95: p95 / 1000,
      errors,
    };
  }
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      'npx',
      [
        '--yes',
        'autocannon',
        '-j',
        '-c',
        String(connections),
        '-d',
        String(seconds),
        '-H',
        `Cookie=${cookie}`,
        url,
      ],
      { maxBuffer: 1 << 24 },
      (e, stdout) => (e ? reject(e) : resolve(stdout)),
    ),
  );
  const r = JSON.parse(out) as {
    requests: { total: number };
    duration: number;
    latency: { p50: number; p97_5: number; p90: number };
    non2xx: number;
    errors: number;
  };
  return {
    requests: r.requests.total,
    seconds: r.duration,
    perSecond: r.requests.total / r.duration,
    p50: r.latency.p50,
    // autocannon reports p90 and p97.5, not p95: the higher one, to err on the slow side.
    p95: r.latency.p97_5,
    errors: r.non2xx + r.errors,
  };
}

import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the closing line `N passed, N failed, N skipped` that CI reads. Errors raised outside any
 * test (an unhandled rejection while a file ran) count as failures and are repeated just above that
 * line with the start of their stack, so a log cut to its last lines still says what failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    const count = { passed: 0, failed: 0, skipped: 0 };
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') count.passed++;
        else if (state === 'failed') count.failed++;
        else count.skipped++;
      }
      if (m.state() === 'failed' && ![...m.children.allTests()].some((t) => t.result().state === 'failed'))
        count.failed++;
    }
    count.failed += errors.length;
    for (const error of errors) console.log(`\nunhandled: ${describeError(error)}`);
    console.log(`\n${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
  }
}

/** The error's name, message, where it was raised (the test file vitest names) and its first frames. */
function describeError(error: unknown): string {
  if (!(error instanceof Object)) return String(error);
  const e = error as { name?: string; message?: string; stack?: string; VITEST_TEST_PATH?: string };
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 6)
    .map((line) => `\n    ${line.trim()}`)
    .join('');
  const file = e.VITEST_TEST_PATH ? ` (while ${e.VITEST_TEST_PATH} ran)` : '';
  return `${e.name ?? 'Error'}: ${e.message ?? ''}${file}${frames}`;
}

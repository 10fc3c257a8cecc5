import { availableParallelism } from 'node:os';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Dates in tests are checked in UTC; workers inherit this.
process.env.TZ = 'UTC';

export default defineConfig({
  plugins: [
    // SWC compiles the decorators and their metadata that NestJS and TypeORM rely on.
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2022',
        keepClassNames: true,
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      },
    }),
  ],
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // A test file mostly waits on PostgreSQL, Chromium or a server it started: one file per core keeps
    // the cores busy (2 cores: ~13 minutes for the suite, ~20 with vitest's default of one fewer).
    maxWorkers: availableParallelism(),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});

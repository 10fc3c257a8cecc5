/**
 * Kehu's module boundaries (see DESIGN.md, "A module owns…"). `npm run check` and the test suite run
 * this; a violation fails CI.
 *
 * - The kernel is src/common, src/i18n, src/config and src/database: it imports no module.
 * - A module is any other folder under src/. It reaches another module only through that module's
 *   `*.service.ts`, `*.types.ts`, `*.policy.ts`, `*.module.ts` (Nest's wiring) or a declared extension
 *   point (`*.contract.ts`). Its entities and repositories are its own: only the module itself,
 *   migrations, the seed, the data-source list for the CLI and the dashboard's query classes import them.
 * - No cycles between folders.
 */
const KERNEL = '^src/(common|i18n|config|database)/';
const PUBLIC_FACE = '[.](service|types|policy|module|contract)[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Folders depend on each other in one direction only.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'kernel-imports-no-module',
      comment: 'common/, i18n/, config/ and database/ are shared by every module and import none.',
      severity: 'error',
      from: { path: KERNEL },
      to: { path: '^src/', pathNot: [KERNEL] },
    },
    {
      name: 'module-through-public-face',
      comment:
        'A module uses another only through its service, types, policy, Nest module or a declared extension point.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: [KERNEL, '^src/seed/', '^src/dashboard/queries/'] },
      to: {
        path: '^src/([^/]+)/',
        pathNot: ['^src/$1/', KERNEL, PUBLIC_FACE],
      },
    },
    {
      name: 'entities-and-repositories-stay-home',
      comment:
        "A module's entities and repositories are imported only inside it (plus migrations, the seed and the dashboard's query classes).",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: ['^src/seed/', '^src/dashboard/queries/'] },
      to: { path: ['^src/([^/]+)/.+[.](entity|repository)[.]ts$'], pathNot: ['^src/$1/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '[.]spec[.]ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

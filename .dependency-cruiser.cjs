/**
 * Architecture boundaries (DESIGN.md §3 "Boundaries that must hold"), checked by `npm run deps:check`
 * on every test run. Paths are matched after symlinks are resolved, so `@app/x` imports and relative
 * `../../x/src` imports are caught alike.
 */
const business = '(prepaid|pos-sdk|cabinet-front|cabinet-back|billing-ref|cabinet-contracts)';

module.exports = {
  forbidden: [
    {
      name: 'front-never-reaches-billing',
      comment: 'cabinet-front lives in the DMZ: it talks to the LAN side only through the bus, never to cabinet-back code or billing',
      severity: 'error',
      from: { path: '^packages/cabinet-front/' },
      to: { path: '^packages/(cabinet-back|billing-ref)/' },
    },
    {
      name: 'business-packages-stay-apart',
      comment: 'business packages meet only through the kernel (bus messages, HTTP)',
      severity: 'error',
      from: { path: '^packages/(prepaid|pos-sdk|billing-ref)/' },
      to: { path: `^packages/${business}/`, pathNot: ['^packages/$1/'] },
    },
    {
      name: 'front-shares-only-the-contract',
      comment: 'cabinet-front and cabinet-back share only cabinet-contracts (bus topics and payload schemas)',
      severity: 'error',
      from: { path: '^packages/cabinet-front/' },
      to: { path: `^packages/${business}/`, pathNot: ['^packages/(cabinet-front|cabinet-contracts)/'] },
    },
    {
      name: 'back-reaches-only-billing',
      comment: 'cabinet-back may use billing-ref (its reference BillingAdapter) and the contract, no other business package',
      severity: 'error',
      from: { path: '^packages/cabinet-back/' },
      to: { path: `^packages/${business}/`, pathNot: ['^packages/(cabinet-back|billing-ref|cabinet-contracts)/'] },
    },
    {
      name: 'contracts-hold-no-logic',
      comment: 'the published language depends on nothing but the kernel',
      severity: 'error',
      from: { path: '^packages/cabinet-contracts/' },
      to: { path: `^packages/${business}/`, pathNot: ['^packages/cabinet-contracts/'] },
    },
    {
      name: 'formats-stand-alone',
      comment: 'metering-formats (80020 and other exchange formats) is pure: both cabinet sides may use it, it uses no package of the project',
      severity: 'error',
      from: { path: '^packages/metering-formats/' },
      to: { path: '^packages/(?!metering-formats/)[^/]+/' },
    },
    {
      name: 'kernel-knows-no-business',
      comment: 'the kernel is infrastructure: it must not depend on the packages built on it',
      severity: 'error',
      from: { path: '^packages/kernel/' },
      to: { path: '^packages/(?!kernel/)[^/]+/' },
    },
    {
      name: 'web-talks-only-http',
      comment: 'the SPAs reach servers through HTTP only; no server code in the browser bundle',
      severity: 'error',
      from: { path: '^packages/web[^/]*/' },
      to: { path: '^packages/(?!web)[^/]+/' },
    },
    {
      name: 'no-reaching-into-internals',
      comment: "another package's files are used only through its entry point (src/index.ts) or testing entry",
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: {
        path: '^packages/([^/]+)/',
        pathNot: ['^packages/$1/', '^packages/[^/]+/src/index\\.ts$', '^packages/[^/]+/src/testing/index\\.ts$'],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Built SPAs (packages/web/dist) are bundler output, not source.
    exclude: { path: '(^|/)node_modules/|^packages/web/dist/' },
    tsPreCompilationDeps: true,
    preserveSymlinks: false,
    combinedDependencies: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
  },
};

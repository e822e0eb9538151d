import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The architecture rules of .dependency-cruiser.cjs, proven to bite: a throw-away tree with the
 * project's layout and one forbidden import per case is checked with the same config `npm test` uses.
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const depcruise = join(root, 'node_modules/.bin/depcruise');
const packages = ['kernel', 'prepaid', 'pos-sdk', 'cabinet-front', 'cabinet-back', 'cabinet-contracts', 'billing-ref', 'metering-formats', 'web'];

let tree: string;

function write(path: string, text: string) {
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  writeFileSync(join(tree, path), text);
}

async function check(): Promise<{ ok: boolean; output: string }> {
  return promisify(execFile)(depcruise, ['packages', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: tree }).then(
    (r) => ({ ok: true, output: r.stdout }),
    (e: { stdout: string }) => ({ ok: false, output: e.stdout }),
  );
}

async function violationsOf(from: string, importText: string) {
  write(from, `${importText}\nexport const probe = 1;\n`);
  try {
    return await check();
  } finally {
    rmSync(join(tree, from));
  }
}

beforeAll(() => {
  tree = mkdtempSync(join(tmpdir(), 'boundaries-'));
  cpSync(join(root, '.dependency-cruiser.cjs'), join(tree, '.dependency-cruiser.cjs'));
  write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: true } }));
  for (const name of packages) {
    write(`packages/${name}/package.json`, JSON.stringify({ name: `@app/${name}`, type: 'module', exports: { '.': './src/index.ts' } }));
    write(`packages/${name}/src/index.ts`, 'export const entry = 1;\n');
    write(`packages/${name}/src/internal.ts`, 'export const internal = 1;\n');
    mkdirSync(join(tree, 'node_modules/@app'), { recursive: true });
    symlinkSync(join(tree, 'packages', name), join(tree, 'node_modules/@app', name));
  }
});
afterAll(() => rmSync(tree, { recursive: true, force: true }));

describe('architecture boundaries', () => {
  it('pass for allowed edges: kernel from a business package, billing-ref from cabinet-back, the contract and metering-formats from both cabinet sides', async () => {
    const allowed = {
      'packages/prepaid/src/uses-kernel.ts': '@app/kernel',
      'packages/cabinet-back/src/adapter.ts': '@app/billing-ref',
      'packages/cabinet-back/src/contract.ts': '@app/cabinet-contracts',
      'packages/cabinet-front/src/contract.ts': '@app/cabinet-contracts',
      'packages/cabinet-contracts/src/uses-kernel.ts': '@app/kernel',
      'packages/cabinet-front/src/formats.ts': '@app/metering-formats',
      'packages/cabinet-back/src/formats.ts': '@app/metering-formats',
    };
    for (const [file, target] of Object.entries(allowed)) write(file, `import { entry } from '${target}';\nexport const a = entry;\n`);
    const result = await check();
    for (const file of Object.keys(allowed)) rmSync(join(tree, file));
    expect(result.output).not.toMatch(/error/);
    expect(result.ok).toBe(true);
  });

  it.each([
    ['cabinet-front importing cabinet-back', 'packages/cabinet-front/src/x.ts', "import '@app/cabinet-back';", 'front-never-reaches-billing'],
    ['cabinet-front importing billing-ref by relative path', 'packages/cabinet-front/src/x.ts', "import '../../billing-ref/src/index.ts';", 'front-never-reaches-billing'],
    ['prepaid importing cabinet-front', 'packages/prepaid/src/x.ts', "import '@app/cabinet-front';", 'business-packages-stay-apart'],
    ['prepaid importing the cabinet contract', 'packages/prepaid/src/x.ts', "import '@app/cabinet-contracts';", 'business-packages-stay-apart'],
    ['the cabinet contract importing cabinet-back', 'packages/cabinet-contracts/src/x.ts', "import '@app/cabinet-back';", 'contracts-hold-no-logic'],
    ['cabinet-back importing prepaid', 'packages/cabinet-back/src/x.ts', "import '@app/prepaid';", 'back-reaches-only-billing'],
    ['metering-formats importing cabinet-front', 'packages/metering-formats/src/x.ts', "import '@app/cabinet-front';", 'formats-stand-alone'],
    ['metering-formats importing the kernel', 'packages/metering-formats/src/x.ts', "import '@app/kernel';", 'formats-stand-alone'],
    ['the kernel importing a business package', 'packages/kernel/src/x.ts', "import '@app/prepaid';", 'kernel-knows-no-business'],
    ['the web app importing server code', 'packages/web/src/x.ts', "import '@app/kernel';", 'web-talks-only-http'],
    ["a package reaching into another's internals", 'packages/prepaid/src/x.ts', "import '../../kernel/src/internal.ts';", 'no-reaching-into-internals'],
  ])('fail for %s', async (_name, from, importText, rule) => {
    const result = await violationsOf(from, importText);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(rule);
  });
});

/**
 * No import is not enough for "the front never connects to the billing database": it must not even know of
 * one. Its settings name no billing database, and nothing in its sources names the billing's settings or
 * its database, so no configuration can point the front at billing.
 */
describe('cabinet-front and the billing database', () => {
  it('has no setting that could point it at billing', async () => {
    const { CabinetFrontSettings } = await import('@app/cabinet-front');
    const keys = Object.keys(CabinetFrontSettings.properties);
    expect(keys).toContain('DATABASE_URL');
    expect(keys.filter((k) => /BILLING/i.test(k))).toEqual([]);
  });

  it('names no billing database, setting or schema anywhere in its code', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const files = readdirSync(join(root, 'packages/cabinet-front'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|sql|json)$/.test(f) && !f.includes('node_modules'));
    expect(files.length).toBeGreaterThan(10);
    const offending = files.filter((f) => /BILLING_DATABASE_URL|openBillingDatabase|billingRefMigrations|_billing\b|billing-ref/.test(readFileSync(join(root, 'packages/cabinet-front', f), 'utf8')));
    expect(offending).toEqual([]);
  });
});

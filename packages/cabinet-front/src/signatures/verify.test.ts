import type { Applicant } from '@app/cabinet-contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRoot, crlPem, gostEngineAvailable, gostPki, issue, issueCrl, opensslSign, type Issued } from './testing/test-ca.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crlsFrom, revocationPolicyFrom } from './trust.js';
import { identityMismatch, verifyDetachedSignature } from './verify.js';

/**
 * Signatures made by OpenSSL over certificates of a test CA made here: each refusal has its own
 * stable reason code, and a valid one is accepted with the signer's identity in the report.
 */
const organisation: Applicant = { kind: 'organisation', name: 'ООО «Ромашка»', inn: '7701234567', ogrn: '1027700000001' };
const orgSubject = 'CN=Иванов Иван, O=ООО Ромашка, 1.2.643.100.4=7701234567, 1.2.643.100.1=1027700000001, 1.2.643.3.131.1.1=771234567890';
const document = Buffer.from('%PDF-1.4 договор энергоснабжения № ДЭ-2026-000001');

describe('detached CMS signatures', () => {
  let root: Issued;
  let intermediate: Issued;
  let rsa: Issued;
  let ecdsa: Issued;
  beforeAll(async () => {
    root = await createRoot('CN=Test Root CA, O=Test');
    intermediate = await issue(root, 'CN=Test Issuing CA, O=Test', { ca: true });
    rsa = await issue(intermediate, orgSubject);
    ecdsa = await issue(root, orgSubject, { alg: 'ecdsa' });
  });
  const verify = (signature: Buffer, overrides: Partial<Parameters<typeof verifyDetachedSignature>[0]> = {}) =>
    verifyDetachedSignature({ document, signature, trustedRoots: [root.der], expected: organisation, ...overrides });

  it('accepts an RSA signature through an intermediate CA, naming the signer', async () => {
    const report = await verify(opensslSign(document, rsa, [intermediate]));
    expect(report).toMatchObject({ ok: true, algorithm: 'rsa', digestAlgorithm: 'sha256', signer: { innle: '7701234567', ogrn: '1027700000001', commonName: 'Иванов Иван' } });
    expect(report.chain).toHaveLength(3);
    expect(report.checks.map((c) => c.check)).toEqual(['format', 'digest', 'signature', 'validity', 'chain', 'revocation', 'identity']);
  });

  it('accepts an ECDSA P-256 signature, and PEM as well as DER', async () => {
    const der = opensslSign(document, ecdsa);
    expect(await verify(der)).toMatchObject({ ok: true, algorithm: 'ecdsa' });
    const pem = Buffer.from(`-----BEGIN CMS-----\n${der.toString('base64')}\n-----END CMS-----\n`);
    expect((await verify(pem)).ok).toBe(true);
  });

  it('refuses a tampered document: document_digest_mismatch', async () => {
    const signature = opensslSign(document, rsa, [intermediate]);
    const tampered = Buffer.from(document);
    tampered.writeUInt8(tampered.at(-1)! ^ 1, tampered.length - 1);
    expect(await verify(signature, { document: tampered })).toMatchObject({ ok: false, code: 'document_digest_mismatch' });
  });

  it('refuses an expired certificate: certificate_expired', async () => {
    const expired = await issue(root, orgSubject, { validity: { from: -400, to: -10 } });
    expect(await verify(opensslSign(document, expired))).toMatchObject({ ok: false, code: 'certificate_expired' });
  });

  it('refuses a certificate of an unknown CA: certificate_untrusted', async () => {
    const stranger = await createRoot('CN=Test Root CA, O=Test');
    const signer = await issue(stranger, orgSubject);
    expect(await verify(opensslSign(document, signer, [stranger]))).toMatchObject({ ok: false, code: 'certificate_untrusted' });
  });

  it('refuses a signer of another organisation: signer_mismatch', async () => {
    const other = await issue(root, 'CN=Петров Пётр, 1.2.643.100.4=7709999999, 1.2.643.100.1=1027700000002');
    expect(await verify(opensslSign(document, other))).toMatchObject({ ok: false, code: 'signer_mismatch', signer: { innle: '7709999999' } });
  });

  it('refuses what is not a signature, and a signature whose signer is not inside', async () => {
    expect(await verify(Buffer.from('not a signature at all'))).toMatchObject({ ok: false, code: 'signature_malformed' });
  });

  it('refuses a certificate not valid yet: certificate_not_yet_valid', async () => {
    const future = await issue(root, orgSubject, { validity: { from: 10, to: 100 } });
    expect(await verify(opensslSign(document, future))).toMatchObject({ ok: false, code: 'certificate_not_yet_valid' });
  });

  it.skipIf(!gostEngineAvailable())('accepts a GOST R 34.10-2012 / Streebog signature made by OpenSSL\'s GOST engine, and refuses it over a tampered document', async () => {
    // OpenSSL 3.0 has no short name for INNLE (1.2.643.100.4): the legacy form, INN = "00" + the 10 digits.
    const pki = gostPki('/CN=Сидоров Сидор/INN=007701234567/OGRN=1027700000001');
    const signature = opensslSign(document, pki.signer, [], 'gost');
    const ok = await verify(signature, { trustedRoots: [pki.root.der] });
    expect(ok, JSON.stringify(ok.checks)).toMatchObject({ ok: true, algorithm: 'gost2012-256', digestAlgorithm: 'streebog256', signer: { inn: '007701234567', commonName: 'Сидоров Сидор' } });
    const tampered = Buffer.concat([document, Buffer.from(' ')]);
    expect(await verify(signature, { document: tampered, trustedRoots: [pki.root.der] })).toMatchObject({ ok: false, code: 'document_digest_mismatch' });
    expect(await verify(signature, { trustedRoots: [root.der] })).toMatchObject({ ok: false, code: 'certificate_untrusted' });
  });

  it.skipIf(!gostEngineAvailable())('accepts a GOST R 34.10-2012 signature with a 512-bit key and Streebog-512', async () => {
    const pki = gostPki('/CN=Сидоров Сидор/INN=007701234567', 512);
    const report = await verify(opensslSign(document, pki.signer, [], 'gost'), { trustedRoots: [pki.root.der] });
    expect(report, JSON.stringify(report.checks)).toMatchObject({ ok: true, algorithm: 'gost2012-512', digestAlgorithm: 'streebog512' });
  });
});

describe('revocation by CRL', () => {
  let root: Issued;
  let intermediate: Issued;
  let good: Issued;
  let revoked: Issued;
  let goodSignature: Buffer;
  let revokedSignature: Buffer;
  beforeAll(async () => {
    root = await createRoot('CN=CRL Test Root, O=Test');
    intermediate = await issue(root, 'CN=CRL Issuing CA, O=Test', { ca: true });
    good = await issue(intermediate, orgSubject);
    revoked = await issue(intermediate, orgSubject, { alg: 'ecdsa' });
    goodSignature = opensslSign(document, good, [intermediate]);
    revokedSignature = opensslSign(document, revoked, [intermediate]);
  });
  const verify = (signature: Buffer, crls: Uint8Array[], revocationPolicy?: 'strict' | 'warn') =>
    verifyDetachedSignature({ document, signature, trustedRoots: [root.der], expected: organisation, crls, revocationPolicy });

  it('accepts a certificate its CA does not list, refuses one it lists: certificate_revoked (DER and PEM CRLs)', async () => {
    const crls = [await issueCrl(root), await issueCrl(intermediate, { revoked: [revoked] })];
    const ok = await verify(goodSignature, crls, 'strict');
    expect(ok, JSON.stringify(ok.checks)).toMatchObject({ ok: true });
    expect(ok.checks.find((c) => c.check === 'revocation')).toMatchObject({ ok: true, detail: expect.stringContaining('not revoked') });
    expect(ok.warnings).toBeUndefined();
    const refused = await verify(revokedSignature, crls.map((c) => Buffer.from(crlPem(c))));
    expect(refused).toMatchObject({ ok: false, code: 'certificate_revoked' });
    expect(refused.checks.at(-1)).toMatchObject({ check: 'revocation', ok: false, detail: expect.stringContaining('revoked since') });
  });

  it('refuses a revoked intermediate CA: everything it issued is refused', async () => {
    const crls = [await issueCrl(root, { revoked: [intermediate] }), await issueCrl(intermediate)];
    expect(await verify(goodSignature, crls)).toMatchObject({ ok: false, code: 'certificate_revoked' });
  });

  it('an expired CRL: strict refuses (revocation_unknown), warn accepts with a warning in the report', async () => {
    const crls = [await issueCrl(root), await issueCrl(intermediate, { thisUpdate: -10, nextUpdate: -2 })];
    expect(await verify(goodSignature, crls, 'strict')).toMatchObject({ ok: false, code: 'revocation_unknown', checks: expect.arrayContaining([expect.objectContaining({ check: 'revocation', detail: expect.stringContaining('expired') })]) });
    const warned = await verify(goodSignature, crls, 'warn');
    expect(warned).toMatchObject({ ok: true, warnings: [expect.stringContaining('expired')] });
    // A revocation stays one in a stale CRL.
    expect(await verify(revokedSignature, [await issueCrl(root), await issueCrl(intermediate, { revoked: [revoked], thisUpdate: -10, nextUpdate: -2 })], 'warn')).toMatchObject({ ok: false, code: 'certificate_revoked' });
  });

  it('a CRL not signed by the issuer counts for nothing: its entries are ignored and the status is unknown', async () => {
    const forged = await issueCrl(intermediate, { revoked: [good], signer: root });
    expect(await verify(goodSignature, [await issueCrl(root), forged], 'strict')).toMatchObject({ ok: false, code: 'revocation_unknown', checks: expect.arrayContaining([expect.objectContaining({ detail: expect.stringContaining('not signed by that issuer') })]) });
    expect(await verify(goodSignature, [await issueCrl(root), forged], 'warn')).toMatchObject({ ok: true, warnings: [expect.stringContaining('not signed')] });
  });

  it('reads the CRLs configured (a DER file and PEM text) at every verification, and refuses a wrong setting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crl-'));
    try {
      writeFileSync(join(dir, 'issuing.crl'), await issueCrl(intermediate));
      const settings = { SIGNATURE_CRLS: join(dir, 'issuing.crl'), SIGNATURE_CRLS_PEM: crlPem(await issueCrl(root)) };
      expect(await verify(goodSignature, crlsFrom(settings), revocationPolicyFrom({ SIGNATURE_REVOCATION_POLICY: 'strict' }))).toMatchObject({ ok: true });
      // The CA publishes a new CRL in the same place: the next verification sees it.
      writeFileSync(join(dir, 'issuing.crl'), await issueCrl(intermediate, { revoked: [good] }));
      expect(await verify(goodSignature, crlsFrom(settings), 'strict')).toMatchObject({ ok: false, code: 'certificate_revoked' });
      writeFileSync(join(dir, 'issuing.crl'), 'not a CRL');
      expect(() => crlsFrom(settings)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(revocationPolicyFrom({})).toBe('warn');
    expect(() => revocationPolicyFrom({ SIGNATURE_REVOCATION_POLICY: 'lax' })).toThrow(/strict or warn/);
  });

  it('without a CRL of the issuer: strict refuses, warn accepts with a warning', async () => {
    expect(await verify(goodSignature, [], 'strict')).toMatchObject({ ok: false, code: 'revocation_unknown' });
    const warned = await verify(goodSignature, []);
    expect(warned.ok).toBe(true);
    expect(warned.warnings).toHaveLength(2);
  });
});

describe('identityMismatch', () => {
  const signer = { subject: '', issuer: '', serialNumber: '01', notBefore: '', notAfter: '' };
  it.each([
    ['INNLE matches', { innle: '7701234567' }, organisation, undefined],
    ['legacy INN "00"+INN matches', { inn: '007701234567' }, organisation, undefined],
    ['another INN', { innle: '7709999999' }, organisation, 'INN'],
    ['OGRN contradicts', { innle: '7701234567', ogrn: '1027700000002' }, organisation, 'OGRN'],
    ['person by SNILS', { snils: '11223344595' }, { kind: 'person', name: 'И. И.', snils: '11223344595' }, undefined],
    ['person with another SNILS', { snils: '11223344500' }, { kind: 'person', name: 'И. И.', snils: '11223344595' }, 'SNILS'],
    ['person with nothing to compare', { commonName: 'x' }, { kind: 'person', name: 'И. И.', snils: '11223344595' }, 'neither'],
  ] as const)('%s', (_name, fields, expected, problem) => {
    const result = identityMismatch({ ...signer, ...fields }, expected as Applicant);
    if (problem) expect(result).toContain(problem);
    else expect(result).toBeUndefined();
  });
});

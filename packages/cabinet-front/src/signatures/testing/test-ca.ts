import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

/**
 * A certification authority made by the tests: roots, intermediates and signer certificates with
 * @peculiar/x509 (RSA, ECDSA P-256) or OpenSSL's GOST engine, and detached CMS signatures made by
 * `openssl cms -sign`, as a consumer's signing software would make them; CRLs of its CAs (issueCrl).
 */
x509.cryptoProvider.set(webcrypto as never);
type CryptoKeyPair = { publicKey: webcrypto.CryptoKey; privateKey: webcrypto.CryptoKey };

export type KeyAlgorithm = 'rsa' | 'ecdsa';
const ALGORITHMS = {
  rsa: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
  ecdsa: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
} as const;

export interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  certPem: string;
  keyPem: string;
  der: Buffer;
}

const day = 86_400_000;
let serial = 1;

async function keyPem(keys: CryptoKeyPair) {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
}

async function done(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<Issued> {
  return { cert, keys, certPem: cert.toString('pem'), keyPem: await keyPem(keys), der: Buffer.from(cert.rawData) };
}

export async function createRoot(name: string, alg: KeyAlgorithm = 'rsa', validity = { from: -365, to: 3650 }): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHMS[alg], true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(4, '0'),
    name,
    notBefore: new Date(Date.now() + validity.from * day),
    notAfter: new Date(Date.now() + validity.to * day),
    signingAlgorithm: ALGORITHMS[alg],
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, 2, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
  });
  return done(cert, keys);
}

/** A certificate issued by `issuer`; `subject` may carry 1.2.643.3.131.1.1 (INN), 1.2.643.100.1 (OGRN), 1.2.643.100.3 (SNILS), 1.2.643.100.4 (INNLE). */
export async function issue(issuer: Issued, subject: string, options: { alg?: KeyAlgorithm; ca?: boolean; validity?: { from: number; to: number } } = {}): Promise<Issued> {
  const alg = options.alg ?? 'rsa';
  const validity = options.validity ?? { from: -30, to: 365 };
  const keys = (await webcrypto.subtle.generateKey(ALGORITHMS[alg], true, ['sign', 'verify'])) as CryptoKeyPair;
  const issuerAlg = issuer.cert.publicKey.algorithm.name === 'ECDSA' ? ALGORITHMS.ecdsa : ALGORITHMS.rsa;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(4, '0'),
    subject,
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() + validity.from * day),
    notAfter: new Date(Date.now() + validity.to * day),
    signingAlgorithm: issuerAlg,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: options.ca
      ? [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)]
      : [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true)],
  });
  return done(cert, keys);
}

/**
 * A CRL of `issuer` listing `revoked`, valid from `thisUpdate` to `nextUpdate` (days from now; default
 * yesterday to a week ahead), signed with `signer`'s key (default the issuer's: another key makes a CRL
 * not signed by its issuer). DER; `toPem` for the PEM form.
 */
export async function issueCrl(issuer: Issued, options: { revoked?: Issued[]; thisUpdate?: number; nextUpdate?: number; signer?: Issued } = {}): Promise<Buffer> {
  const signer = options.signer ?? issuer;
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuer.cert.subject,
    thisUpdate: new Date(Date.now() + (options.thisUpdate ?? -1) * day),
    nextUpdate: new Date(Date.now() + (options.nextUpdate ?? 7) * day),
    signingAlgorithm: signer.cert.publicKey.algorithm.name === 'ECDSA' ? ALGORITHMS.ecdsa : ALGORITHMS.rsa,
    signingKey: signer.keys.privateKey,
    entries: (options.revoked ?? []).map((r) => ({ serialNumber: r.cert.serialNumber, revocationDate: new Date(Date.now() - 3_600_000), reason: x509.X509CrlReason.keyCompromise })),
  });
  return Buffer.from(crl.rawData);
}

export const crlPem = (der: Buffer) => `-----BEGIN X509 CRL-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END X509 CRL-----\n`;

/** A detached CMS signature (DER) of `document` by `signer`, made by `openssl cms -sign`, with `chain` included. */
export function opensslSign(document: Uint8Array, signer: { certPem: string; keyPem: string }, chain: Array<{ certPem: string }> = [], engine?: 'gost'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'cms-'));
  try {
    writeFileSync(join(dir, 'doc'), document);
    writeFileSync(join(dir, 'cert.pem'), signer.certPem);
    writeFileSync(join(dir, 'key.pem'), signer.keyPem);
    const args = ['cms', '-sign', '-binary', '-nosmimecap', '-in', join(dir, 'doc'), '-signer', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-outform', 'DER', '-out', join(dir, 'sig')];
    if (chain.length) {
      writeFileSync(join(dir, 'chain.pem'), chain.map((c) => c.certPem).join(''));
      args.push('-certfile', join(dir, 'chain.pem'));
    }
    if (engine) args.push('-engine', engine);
    execFileSync('openssl', args, { stdio: 'pipe' });
    return readFileSync(join(dir, 'sig'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether OpenSSL here has the GOST engine (Debian libengine-gost-openssl). */
export function gostEngineAvailable(): boolean {
  try {
    return execFileSync('openssl', ['engine', 'gost'], { stdio: 'pipe' }).toString().includes('gost');
  } catch {
    return false;
  }
}

/**
 * A GOST R 34.10-2012 root and signer (256- or 512-bit keys, paramset A) made by OpenSSL's GOST engine.
 * X.509 v3 (extensions given): node-gost-crypto cannot read v1 certificates.
 */
export function gostPki(subject: string, bits: 256 | 512 = 256): { root: { certPem: string; der: Buffer }; signer: { certPem: string; keyPem: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'gost-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
  try {
    run('genpkey', '-engine', 'gost', '-algorithm', `gost2012_${bits}`, '-pkeyopt', 'paramset:A', '-out', 'ca.key');
    run('req', '-engine', 'gost', '-new', '-x509', '-key', 'ca.key', '-subj', '/CN=Test GOST Root CA/O=Test', '-days', '30', '-out', 'ca.pem');
    run('genpkey', '-engine', 'gost', '-algorithm', `gost2012_${bits}`, '-pkeyopt', 'paramset:A', '-out', 'u.key');
    run('req', '-engine', 'gost', '-new', '-utf8', '-key', 'u.key', '-subj', subject, '-out', 'u.csr');
    writeFileSync(join(dir, 'u.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
    run('x509', '-engine', 'gost', '-req', '-in', 'u.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '10', '-extfile', 'u.ext', '-out', 'u.pem');
    const rootPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
    return {
      root: { certPem: rootPem, der: Buffer.from(rootPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64') },
      signer: { certPem: readFileSync(join(dir, 'u.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'u.key'), 'utf8') },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

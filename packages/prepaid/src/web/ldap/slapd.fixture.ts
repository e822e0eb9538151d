import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real OpenLDAP server (Debian's slapd) for the LDAP login test: its own config and database in a
 * temp folder, a free port on 127.0.0.1, loaded with ldapadd, stopped and removed afterwards.
 */
export const SUFFIX = 'dc=prepaid,dc=test';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PW = 'slapd-root-secret';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const listening = async (port: number, ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`slapd did not listen on ${port}`);
};

export async function startSlapd(ldif: string): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'slapd-'));
  mkdirSync(join(dir, 'data'));
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'include /etc/ldap/schema/nis.schema',
      `pidfile ${join(dir, 'slapd.pid')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'database mdb',
      'maxsize 10485760',
      `suffix "${SUFFIX}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw ${ROOT_PW}`,
      `directory ${join(dir, 'data')}`,
      'access to attrs=userPassword by self read by anonymous auth by * none',
      'access to * by * read',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  // -d 0: stay in the foreground (so the test owns the process) without debug output.
  const slapd: ChildProcess = spawn('/usr/sbin/slapd', ['-f', conf, '-h', `${url}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  slapd.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    await listening(port, 10_000);
  } catch (error) {
    slapd.kill('SIGKILL');
    throw new Error(`${(error as Error).message}: ${stderr}`);
  }
  const file = join(dir, 'seed.ldif');
  writeFileSync(file, ldif);
  execFileSync('ldapadd', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PW, '-f', file], { stdio: 'pipe' });
  return {
    url,
    stop: async () => {
      await new Promise<void>((resolve) => {
        slapd.once('exit', () => resolve());
        slapd.kill('SIGTERM');
        setTimeout(() => slapd.kill('SIGKILL'), 5000).unref();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Servers of the drills' own — a PostgreSQL cluster, a RabbitMQ node, a Redis, an nginx — on ports of their
// own under a temporary folder, so a drill may restart, flush or kill them without touching the machine's
// servers that tests and other work share. Debian's binaries; PostgreSQL runs as the postgres user (initdb
// refuses root).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A drill that fails, is interrupted (Ctrl-C, SIGTERM) or ends without stopping its servers stops them on
 * the way out (synchronously: an exit handler cannot wait), so the next run finds its ports free. A
 * SIGKILL'd run cannot clean up; each start therefore first stops what a previous run left on its port.
 */
const onExit = new Map<string, () => void>();
/** Service processes of the drill: killed on the way out too. */
const children = new Set<ChildProcess>();
const quietly = (file: string, args: string[]) => {
  try {
    execFileSync(file, args, { stdio: 'ignore', timeout: 60_000 });
  } catch {
    // already gone
  }
};
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const stop of onExit.values()) stop();
});
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) process.once(signal, () => process.exit(code));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

export interface PrivatePostgres {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A cluster of a previous run still serving `port` (its postmaster.pid names the port on line 4). */
function stopLeftoverPostgres(port: number) {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith('drill-pg-'))) {
    const data = join(tmpdir(), name, 'data');
    const pidFile = join(data, 'postmaster.pid');
    if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').split('\n')[3]?.trim() === String(port)) quietly('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', data, '-w', '-m', 'immediate', 'stop']);
  }
}

export async function startPostgres(port: number): Promise<PrivatePostgres> {
  stopLeftoverPostgres(port);
  const dir = mkdtempSync(join(tmpdir(), 'drill-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  mkdirSync(data);
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  chownSync(data, uid, gid);
  chownSync(dir, uid, gid); // the socket and its lock file live here
  const asPostgres = (cmd: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args]);
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  writeFileSync(join(data, 'postgresql.auto.conf'), `port = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\nmax_connections = 200\n`);
  chownSync(join(data, 'postgresql.auto.conf'), uid, gid);
  const ctl = (action: string) => asPostgres('pg_ctl', ['-D', data, '-l', join(data, 'log'), '-w', '-m', 'fast', action]);
  await ctl('start');
  const key = `pg:${port}`;
  onExit.set(key, () => quietly('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', data, '-w', '-m', 'immediate', 'stop']));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    restart: async () => void (await ctl('restart')),
    stop: async () => {
      await ctl('stop').catch(() => undefined);
      onExit.delete(key);
    },
  };
}

export interface PrivateRabbit {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A second RabbitMQ node (its own name, ports, database); `restart` stops and starts the broker app. */
export async function startRabbit(port: number): Promise<PrivateRabbit> {
  // The node runs as the rabbitmq user (as Debian runs it) from a folder of its own; its own config file,
  // because the machine's /etc/rabbitmq/rabbitmq.conf pins the listener to the shared 5672.
  const dir = mkdtempSync(join(tmpdir(), 'drill-rabbit-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\n`);
  await run('chown', ['-R', 'rabbitmq:rabbitmq', dir]);
  const node = `drill${port}@localhost`;
  quietly('rabbitmqctl', ['-n', node, 'stop']); // a node a previous run left
  const env = [
    'HOME=/var/lib/rabbitmq',
    `RABBITMQ_NODENAME=${node}`,
    `RABBITMQ_CONFIG_FILE=${join(dir, 'rabbitmq.conf')}`,
    `RABBITMQ_DIST_PORT=${port + 20000}`,
    `RABBITMQ_MNESIA_BASE=${join(dir, 'mnesia')}`,
    `RABBITMQ_LOG_BASE=${join(dir, 'log')}`,
    `RABBITMQ_ENABLED_PLUGINS_FILE=${join(dir, 'enabled_plugins')}`,
    `RABBITMQ_PID_FILE=${join(dir, 'pid')}`,
  ];
  const ctl = (...args: string[]) => run('rabbitmqctl', ['-n', node, ...args]);
  await run('runuser', ['-u', 'rabbitmq', '--', 'env', ...env, '/usr/lib/rabbitmq/bin/rabbitmq-server', '-detached']);
  // -detached returns before the node has registered; await_startup refuses a node it cannot see yet.
  await until('rabbitmq node', async () => (await ctl('await_startup', '--timeout', '5'), true), 120_000);
  const key = `rabbit:${port}`;
  onExit.set(key, () => quietly('rabbitmqctl', ['-n', node, 'stop']));
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    restart: async () => {
      await ctl('stop_app');
      await sleep(2_000);
      await ctl('start_app');
      await ctl('await_startup', '--timeout', '120');
    },
    stop: async () => {
      await ctl('stop').catch(() => undefined);
      onExit.delete(key);
    },
  };
}

export interface PrivateRedis {
  url: string;
  flush(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(port: number): Promise<PrivateRedis> {
  const start = async () => {
    await run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no']);
    await until('redis', async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.includes('PONG'));
  };
  quietly('redis-cli', ['-p', String(port), 'shutdown', 'nosave']); // one a previous run left
  await start();
  const key = `redis:${port}`;
  onExit.set(key, () => quietly('redis-cli', ['-p', String(port), 'shutdown', 'nosave']));
  const stop = async () => void (await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined));
  return {
    url: `redis://127.0.0.1:${port}`,
    flush: async () => void (await run('redis-cli', ['-p', String(port), 'flushall'])),
    restart: async () => {
      await stop();
      await sleep(1_000);
      await start();
    },
    stop: async () => {
      await stop();
      onExit.delete(key);
    },
  };
}

/** nginx balancing `port` over the given upstream ports (least_conn, retries on connect failure only). */
export async function startNginx(port: number, upstreams: number[]): Promise<{ stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'drill-nginx-'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_next_upstream error timeout;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream app { least_conn; ${upstreams.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join(' ')} keepalive 64; }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; } }
}
`,
  );
  await run('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  const key = `nginx:${port}`;
  onExit.set(key, () => quietly('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-s', 'quit']));
  return {
    stop: async () => {
      await run('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-s', 'quit']).catch(() => undefined);
      onExit.delete(key);
    },
  };
}


/** Starts a service's main.ts as its own process and waits for /ready. */
export async function startService(main: string, port: number, env: Record<string, string>): Promise<ChildProcess> {
  // node itself with tsx as a loader (not the tsx wrapper, which runs the service as its own child): a
  // SIGKILL must hit the process that listens.
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await until(`${main} on ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 90_000);
  return child;
}

export function stopService(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CabinetBackSettings } from '@app/cabinet-back';
import { CabinetFrontSettings, resolveKeyRing } from '@app/cabinet-front';
import { loadConfig } from '@app/kernel';
import { PrepaidSettings } from '@app/prepaid';
import type { TObject } from 'typebox';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricsUsed } from './support/deploy-files.js';

/**
 * deploy/ cannot be run here (no Docker engine), so it is checked against the code it deploys: every image
 * builds a service that exists, every service's environment passes that service's own settings schema (as
 * it would at start in production) and names no setting the service does not know, the zones hold (the
 * front is never on the LAN and names no billing), nginx and Prometheus accept their configs
 * (`nginx -t`, `promtool check config`, when Debian's packages are installed — CI installs them), and every
 * metric the Grafana dashboard and the alerts use is one a service really exposes (test/metrics.test.ts
 * scrapes them).
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const deploy = (path: string) => join(root, 'deploy', path);
const run = promisify(execFile);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  networks?: string[];
  deploy?: { replicas?: number };
}
const env = Object.fromEntries(
  readFileSync(deploy('.env.example'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
/** compose's ${NAME}, ${NAME:?message} and ${NAME:-default}, from deploy/.env.example. */
const interpolate = (text: string) =>
  text.replace(/\$\{([A-Z_]+)(?::[?-]([^}]*))?\}/g, (_, name: string) => {
    if (!(name in env)) throw new Error(`deploy/.env.example has no ${name}`);
    return env[name]!;
  });
const compose = parse(interpolate(readFileSync(deploy('compose.yaml'), 'utf8'))) as { services: Record<string, ComposeService> };
const apps: Record<string, TObject> = { prepaid: PrepaidSettings, 'cabinet-front': CabinetFrontSettings, 'cabinet-back': CabinetBackSettings };

describe('deploy/compose.yaml', () => {
  it('builds each service from its own Dockerfile, whose command starts that service', () => {
    for (const name of Object.keys(apps)) {
      const service = compose.services[name]!;
      expect(service.build, name).toEqual({ context: '..', dockerfile: `deploy/${name}.Dockerfile` });
      const dockerfile = readFileSync(join(root, service.build!.dockerfile), 'utf8');
      const cmd = /^CMD \[(.*)\]$/m.exec(dockerfile)?.[1];
      expect(cmd, `${name} CMD`).toBeDefined();
      const argv = JSON.parse(`[${cmd}]`) as string[];
      // node itself, so `docker stop`'s SIGTERM reaches the service's orderly stop (the tsx CLI relays it with a 30 ms SIGKILL fuse).
      expect(argv.slice(0, 3), `${name} CMD`).toEqual(['node', '--import', 'tsx']);
      const main = argv.find((a) => a.endsWith('main.ts'))!;
      expect(main).toBe(`packages/${name}/src/main.ts`);
      expect(existsSync(join(root, main))).toBe(true);
      expect(dockerfile).toContain('npm ci');
    }
  });

  it("gives every service an environment its settings schema accepts in production, with no unknown setting", () => {
    for (const [name, schema] of Object.entries(apps)) {
      const environment = compose.services[name]!.environment!;
      expect(environment.NODE_ENV, name).toBe('production');
      const unknown = Object.keys(environment).filter((k) => !(k in schema.properties));
      expect(unknown, `${name}: settings it does not read`).toEqual([]);
      expect(() => loadConfig(schema, environment), name).not.toThrow();
    }
    // The front's keys are real keys: production refuses development ones and malformed ones.
    expect(() => resolveKeyRing(compose.services['cabinet-front']!.environment!)).not.toThrow();
  });

  it('runs several instances of the stateless services behind the load balancer', () => {
    expect(compose.services.prepaid!.deploy?.replicas).toBeGreaterThanOrEqual(3);
    expect(compose.services['cabinet-front']!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    for (const name of ['postgres', 'rabbitmq', 'redis', 'load-balancer', 'prometheus', 'grafana']) expect(compose.services[name], name).toBeDefined();
  });

  it('keeps the front in the DMZ: its only way to the LAN is RabbitMQ, and it names no billing', () => {
    const front = compose.services['cabinet-front']!;
    expect(front.networks).toEqual(['dmz']);
    const reachable = Object.entries(compose.services).filter(([, s]) => s.networks?.includes('dmz') && s.networks.includes('lan')).map(([n]) => n).sort();
    expect(reachable).toEqual(['load-balancer', 'prometheus', 'rabbitmq']);
    const frontEnv = JSON.stringify(front.environment);
    expect(frontEnv).not.toMatch(/billing|postgres:5432|redis:6379/i);
    expect(new URL(front.environment!.DATABASE_URL!).hostname).toBe('postgres-front');
  });
});

describe('deploy/nginx and deploy/prometheus', () => {
  it('routes each public host to the instances of its service, and hides /metrics', () => {
    const conf = readFileSync(deploy('nginx/nginx.conf'), 'utf8');
    for (const [upstream, target] of [['prepaid', 'prepaid:3000'], ['cabinet_front', 'cabinet-front:3100'], ['back_office', 'cabinet-back:3200']]) {
      expect(conf).toMatch(new RegExp(`upstream ${upstream} \\{[^}]*server ${target}`));
      expect(conf).toContain(`proxy_pass http://${upstream};`);
    }
    expect(conf.match(/location \/metrics \{ return 404; \}/g)).toHaveLength(3);
  });

  it.skipIf(!existsSync('/usr/sbin/nginx'))('passes nginx -t', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nginx-'));
    try {
      // nginx resolves upstream names and reads the certificates while checking: give it both.
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=test', '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')]);
      const conf = readFileSync(deploy('nginx/nginx.conf'), 'utf8')
        .replace(/server (prepaid|cabinet-front|cabinet-back):/g, 'server 127.0.0.1:')
        .replace(/\/etc\/nginx\/tls\/\w+\.crt/g, join(dir, 'c.pem'))
        .replace(/\/etc\/nginx\/tls\/\w+\.key/g, join(dir, 'k.pem'))
        .replace('events {', `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};\nevents {`);
      writeFileSync(join(dir, 'nginx.conf'), conf);
      const result = await run('/usr/sbin/nginx', ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')]).then(
        () => 'ok',
        (e: { stderr: string }) => e.stderr,
      );
      expect(result).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scrapes every application service by name on its port', () => {
    const config = parse(readFileSync(deploy('prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string; dns_sd_configs: Array<{ names: string[]; port: number }> }> };
    const jobs = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j.dns_sd_configs[0]!]));
    for (const name of Object.keys(apps)) {
      expect(jobs[name]?.names).toEqual([name]);
      expect(String(jobs[name]?.port)).toBe(compose.services[name]!.environment!.PORT);
    }
  });

  it.skipIf(!existsSync('/usr/bin/promtool'))('passes promtool check config and check rules', async () => {
    await expect(run('/usr/bin/promtool', ['check', 'config', deploy('prometheus/prometheus.yml')])).resolves.toBeDefined();
    await expect(run('/usr/bin/promtool', ['check', 'rules', deploy('prometheus/alerts.yml')])).resolves.toBeDefined();
  });
});

describe('deploy/grafana', () => {
  it('provisions the Prometheus datasource the dashboard panels use', () => {
    const dashboard = JSON.parse(readFileSync(deploy('grafana/dashboards/overview.json'), 'utf8')) as { uid: string; panels: Array<{ datasource: { uid: string }; targets: unknown[]; gridPos: unknown }> };
    const datasources = parse(readFileSync(deploy('grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; url: string }> };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid).toBe(datasources.datasources[0]!.uid);
      expect(panel.targets.length).toBeGreaterThan(0);
    }
    expect(new URL(datasources.datasources[0]!.url).hostname).toBe('prometheus');
    expect(metricsUsed()).toEqual(expect.arrayContaining(['outbox_oldest_pending_seconds', 'bus_queue_messages', 'http_request_duration_seconds']));
  });
});

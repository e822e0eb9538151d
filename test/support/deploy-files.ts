import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const deploy = (path: string) => join(root, 'deploy', path);

/** Every metric name an expression of the dashboard or the alerts refers to. */
export function metricsUsed(): string[] {
  const dashboard = JSON.parse(readFileSync(deploy('grafana/dashboards/overview.json'), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const alerts = parse(readFileSync(deploy('prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
  const exprs = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...alerts.groups.flatMap((g) => g.rules.map((r) => r.expr))];
  const words = new Set<string>();
  const functions = new Set(['sum', 'rate', 'max', 'min', 'by', 'histogram_quantile', 'le', 'avg', 'count', 'irate', 'increase', 'on', 'without']);
  for (const expr of exprs) {
    const bare = expr.replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '').replace(/"[^"]*"/g, '');
    for (const [word] of bare.matchAll(/[a-z_][a-z0-9_]*/g)) if (!functions.has(word) && /_/.test(word)) words.add(word);
  }
  return [...words].map((w) => w.replace(/_(bucket|count|sum)$/, '')).filter((w, i, all) => all.indexOf(w) === i).sort();
}


/** A free TCP port on the loopback, for servers the tests start. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

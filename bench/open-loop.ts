// An open-loop load generator: requests leave at a fixed rate whatever the server does, and each
// latency is measured from the moment the request was due, not from when a free connection let it go.
// A closed loop (N connections, send when the last answer came) slows down with the server and hides
// queueing — the "coordinated omission" that makes p95 look better than users feel it.
import http from 'node:http';
import hdr from 'hdr-histogram-js';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Label for the per-page breakdown. */
  page: string;
}

export interface LoadResult {
  rate: number;
  seconds: number;
  completed: number;
  errors: number;
  statuses: Record<string, number>;
  achievedRps: number;
  overall: Percentiles;
  pages: Record<string, Percentiles & { count: number }>;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export async function runOpenLoop(options: { port: number; rate: number; seconds: number; next: () => LoadRequest; maxSockets?: number }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 128 });
  const newHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const overall = newHistogram();
  const pages = new Map<string, ReturnType<typeof newHistogram>>();
  const statuses: Record<string, number> = {};
  let completed = 0;
  let errors = 0;
  const total = Math.round(options.rate * options.seconds);
  const intervalMs = 1000 / options.rate;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];

  const send = (request: LoadRequest, dueAt: number) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port: options.port, method: request.method, path: request.path, headers: { ...request.headers, ...(request.body ? { 'content-type': 'application/json' } : {}) }, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            const micros = Math.max(1, Math.round((performance.now() - dueAt) * 1000));
            overall.recordValue(micros);
            const page = pages.get(request.page) ?? newHistogram();
            page.recordValue(micros);
            pages.set(request.page, page);
            statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
            if ((res.statusCode ?? 500) >= 400) errors++;
            completed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        statuses.error = (statuses.error ?? 0) + 1;
        resolve();
      });
      if (request.body) req.write(request.body);
      req.end();
    });

  for (let i = 0; i < total; i++) {
    const dueAt = started + i * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(options.next(), dueAt));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const ms = (h: ReturnType<typeof newHistogram>): Percentiles => ({
    p50: h.getValueAtPercentile(50) / 1000,
    p95: h.getValueAtPercentile(95) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    max: h.maxValue / 1000,
  });
  return {
    rate: options.rate,
    seconds: options.seconds,
    completed,
    errors,
    statuses,
    achievedRps: completed / elapsed,
    overall: ms(overall),
    pages: Object.fromEntries([...pages].map(([name, h]) => [name, { ...ms(h), count: h.totalCount }])),
  };
}

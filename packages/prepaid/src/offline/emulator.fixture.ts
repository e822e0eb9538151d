import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The terminal emulator (packages/pos-sdk/src/cli/emulator.ts) as a real child process, driven line by
 * line in --json mode: the SDK runs in its own process and reaches this server over HTTP only — which is
 * also why this is a spawn and not an import (the boundary rules keep pos-sdk and prepaid apart).
 */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const script = fileURLToPath(new URL('../../../pos-sdk/src/cli/emulator.ts', import.meta.url));

export interface Emulator {
  // The emulator prints the SDK's results as JSON; the tests assert on their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(line: string): Promise<{ ok: boolean; command: string; result?: any; error?: { code: string; message: string } }>;
  quit(): Promise<number | null>;
  kill(): Promise<void>;
}

export function startEmulator(args: { url: string; terminal: string; secret: string; publicKey: string; data: string; timeoutMs?: number }): Emulator {
  const proc: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    // `--name=value`: a generated secret may start with a dash, which parseArgs takes for an option
    // when given as a separate argument (a base64url secret did so in CI).
    [
      '--import', 'tsx', script, '--json',
      `--url=${args.url}`, `--terminal=${args.terminal}`, `--secret=${args.secret}`,
      `--public-key=${args.publicKey}`, `--data=${args.data}`, `--timeout=${args.timeoutMs ?? 1500}`,
    ],
    { cwd: repoRoot, env: { ...process.env, NODE_ENV: 'test' }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: proc.stdout });
  const waiting: Array<(line: string) => void> = [];
  const buffered: string[] = [];
  lines.on('line', (line) => (waiting.length ? waiting.shift()!(line) : buffered.push(line)));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      if (buffered.length) return resolve(buffered.shift()!);
      const timer = setTimeout(() => reject(new Error(`emulator gave no answer; stderr: ${stderr}`)), 20_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then((code) => reject(new Error(`emulator exited with ${code}; stderr: ${stderr}`)));
    });
  return {
    async send(line) {
      proc.stdin.write(line + '\n');
      return JSON.parse(await next());
    },
    async quit() {
      proc.stdin.end('quit\n');
      return exited;
    },
    async kill() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

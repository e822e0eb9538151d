import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Caps one process at a fraction of a core with a cgroup (v2 cpu.max, or v1 cpu.cfs_quota_us), so a
 * scale-out run on one small machine can give each instance a "node" of its own size: with instances
 * capped, the instances are what limits throughput, and adding one adds capacity until the database
 * (uncapped) runs out. Needs root and a writable cgroup file system; `available()` says whether it can.
 */
const V2_ROOT = '/sys/fs/cgroup';
const V1_CPU = '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;

function mode(): 'v2' | 'v1' | null {
  try {
    if (existsSync(join(V2_ROOT, 'cgroup.controllers')) && readFileSync(join(V2_ROOT, 'cgroup.controllers'), 'utf8').includes('cpu')) return 'v2';
    if (existsSync(join(V1_CPU, 'cpu.cfs_quota_us'))) return 'v1';
  } catch {
    /* not readable: no cgroups for us */
  }
  return null;
}

export function cpuLimitAvailable(): boolean {
  const m = mode();
  if (!m) return false;
  const probe = join(m === 'v2' ? V2_ROOT : V1_CPU, `bench-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

export interface CpuLimit {
  release(): void;
}

export function limitCpu(pid: number, name: string, cpus: number): CpuLimit {
  const m = mode();
  if (!m) throw new Error('no cgroup cpu controller here');
  const dir = join(m === 'v2' ? V2_ROOT : V1_CPU, `bench-${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const quota = Math.max(1_000, Math.round(cpus * PERIOD_US));
  if (m === 'v2') {
    writeFileSync(join(V2_ROOT, 'cgroup.subtree_control'), '+cpu');
    writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
  } else {
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
  }
  // cgroup.procs moves every thread of the process (libuv's pool, V8's workers) with it.
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return {
    release() {
      try {
        const procs = readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim().split('\n').filter(Boolean);
        for (const p of procs) writeFileSync(join(m === 'v2' ? V2_ROOT : V1_CPU, 'cgroup.procs'), p);
        rmdirSync(dir);
      } catch {
        /* the process is gone and the kernel removes nothing for us: the empty group is left, harmless */
      }
    },
  };
}

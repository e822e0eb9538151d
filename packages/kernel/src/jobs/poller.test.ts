import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../log/logger.js';
import { Poller } from './poller.js';

// Fake timers: each step says how far the clock moves, so nothing here depends on the machine's speed.
beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A run that counts its starts and how many are in hand at once; `hold` keeps the next runs open until released. */
function counter() {
  const state = { runs: 0, inHand: 0, most: 0, gate: null as ReturnType<typeof deferred> | null };
  const run = async () => {
    state.runs++;
    state.inHand++;
    state.most = Math.max(state.most, state.inHand);
    try {
      if (state.gate) await state.gate.promise;
    } finally {
      state.inHand--;
    }
    return state.runs;
  };
  return { state, run };
}

describe('poller', () => {
  it('runs at once after start, then every interval', async () => {
    const { state, run } = counter();
    const poller = new Poller({ name: 'test', run, intervalMs: 1_000 });
    poller.start();
    expect(state.runs).toBe(0); // not inside start()
    await vi.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(state.runs).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.runs).toBe(2);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(state.runs).toBe(5);
    await poller.stop();
  });

  it('never runs twice at once: the interval counts from the end of a slow run, and start/nudge during it add no run', async () => {
    const { state, run } = counter();
    const poller = new Poller({ name: 'test', run, intervalMs: 100 });
    state.gate = deferred();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(1);
    poller.start();
    await vi.advanceTimersByTimeAsync(10_000); // the run is still in hand
    expect(state.runs).toBe(1);
    poller.nudge();
    poller.nudge();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.runs).toBe(1);
    const first = state.gate;
    state.gate = null;
    first.resolve();
    // Nudged while in hand: one more run right after, then the interval again.
    await vi.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(2);
    await vi.advanceTimersByTimeAsync(99);
    expect(state.runs).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.runs).toBe(3);
    expect(state.most).toBe(1);
    await poller.stop();
  });

  it('a nudge starts the next run now instead of after the interval; a stopped poller ignores it', async () => {
    const { state, run } = counter();
    const poller = new Poller({ name: 'test', run, intervalMs: 60_000 });
    poller.nudge();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(0);
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(1);
    poller.nudge();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(2);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(state.runs).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.runs).toBe(3);
    await poller.stop();
  });

  it('logs a failed run and goes on', async () => {
    const error = vi.fn();
    const logger = { error } as unknown as Logger;
    let runs = 0;
    const poller = new Poller({
      name: 'flaky loop',
      intervalMs: 100,
      logger,
      run: async () => {
        runs++;
        if (runs === 1) throw new Error('database away');
      },
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledWith({ err: expect.objectContaining({ message: 'database away' }) }, 'flaky loop: poll failed');
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    expect(error).toHaveBeenCalledTimes(1);
    await poller.stop();
  });

  it('stop() waits for the run in hand, and no run starts after it', async () => {
    const { state, run } = counter();
    const poller = new Poller({ name: 'test', run, intervalMs: 100 });
    state.gate = deferred();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stopped).toBe(false);
    expect(state.inHand).toBe(1);
    state.gate.resolve();
    await stopping;
    expect(state.inHand).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.runs).toBe(1);
  });

  it('starts again after a stop, with one loop only', async () => {
    const { state, run } = counter();
    const poller = new Poller({ name: 'test', run, intervalMs: 100 });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await poller.stop();
    // Started again while a stop still waits for a run in hand: still one loop.
    state.gate = deferred();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(2);
    const stopping = poller.stop();
    poller.start();
    const gate = state.gate;
    state.gate = null;
    gate.resolve();
    await stopping;
    await vi.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.runs).toBe(13);
    expect(state.most).toBe(1);
    await poller.stop();
  });

  it('waits as long as next(result) says after a run', async () => {
    let left = 3;
    let runs = 0;
    const poller = new Poller({
      name: 'test',
      intervalMs: 1_000,
      next: (found: number) => (found > 0 ? 0 : 1_000),
      run: async () => {
        runs++;
        return left > 0 ? left-- : 0;
      },
    });
    poller.start();
    // Three runs found work: the next ones follow at once (fake timers may put a 0 ms timer 1 ms on); the fourth found none.
    await vi.advanceTimersByTimeAsync(10);
    expect(runs).toBe(4);
    await vi.advanceTimersByTimeAsync(900);
    expect(runs).toBe(4);
    await vi.advanceTimersByTimeAsync(200);
    expect(runs).toBe(5);
    await poller.stop();
  });
});

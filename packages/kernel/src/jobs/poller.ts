import type { Logger } from '../log/logger.js';

/**
 * A loop that runs one async function every `intervalMs` on this instance (a watched folder, a table of
 * requests): never two runs at once, a failed run logged and the loop goes on, `stop()` waits for the run
 * in hand. The first run starts at once (on the next turn of the event loop) after `start()`.
 *
 * Not the Scheduler: nothing is claimed across instances here; the function itself must be safe to run
 * on several instances at once (a lease, a rename, FOR UPDATE SKIP LOCKED).
 */
export interface PollerOptions<T> {
  /** Names the loop in the log: `<name>: poll failed`. */
  name: string;
  run: () => Promise<T>;
  /** Wait between the end of one run and the start of the next. */
  intervalMs: number;
  /** The wait after a run that returned `result` (e.g. 0 when it found work: there may be more). Default `intervalMs`; a failed run always waits `intervalMs`. */
  next?: (result: T) => number;
  logger?: Logger;
}

export class Poller<T = unknown> {
  private timer: NodeJS.Timeout | null = null;
  private inHand: Promise<void> | null = null;
  private stopped = true;
  /** Nudged while a run was in hand: the next one starts as soon as it ends. */
  private again = false;

  constructor(private readonly options: PollerOptions<T>) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.inHand) this.again = true;
    else this.schedule(0);
  }

  /** The next run starts now (or, with one in hand, right after it) instead of after the interval. No-op when stopped. */
  nudge(): void {
    if (this.stopped) return;
    if (this.inHand) this.again = true;
    else this.schedule(0);
  }

  /** Stops the loop; waits for the run in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.again = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inHand;
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick() {
    this.timer = null;
    if (this.stopped || this.inHand) return;
    this.again = false;
    let wait = this.options.intervalMs;
    this.inHand = (async () => {
      try {
        const result = await this.options.run();
        if (this.options.next) wait = this.options.next(result);
      } catch (error) {
        this.options.logger?.error({ err: error }, `${this.options.name}: poll failed`);
      }
    })();
    await this.inHand;
    this.inHand = null;
    if (!this.stopped) this.schedule(this.again ? 0 : wait);
  }
}

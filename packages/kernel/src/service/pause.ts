/**
 * The wait between two rounds of a polling loop (outbox relay, scheduler) that can be cut short: `wake()`
 * ends the current pause at once (a nudge after a commit, a stop), and is a no-op when nothing waits.
 */
export class Pause {
  private waiting: (() => void) | undefined;

  for(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting = done;
    });
  }

  wake(): void {
    this.waiting?.();
  }
}

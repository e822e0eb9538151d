import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { waitFor } from '../testing/wait-for.js';
import type { Bus, DeadLetterQueues, Message } from './bus.js';

/**
 * What every Bus implementation promises, run against each of them. `first` and `second` stand for
 * two instances of a service on one broker (the in-process bus has only one, and passes it twice).
 */
export interface BusContractFixture {
  first: Bus & DeadLetterQueues;
  second: Bus;
  /** Deletes what the suite created on the broker; called with every queue name the suite used. */
  cleanup(queues: string[]): Promise<void>;
}

const fast = () => 30;

export function busContract(name: string, factory: () => Promise<BusContractFixture>) {
  describe(`Bus contract: ${name}`, () => {
    let fixture: BusContractFixture;
    const suffix = randomUUID().slice(0, 8);
    const queues: string[] = [];
    const queue = (label: string) => {
      const q = `contract-${suffix}.${label}`;
      queues.push(q);
      return q;
    };
    const topic = (label: string) => `contract.${suffix}.${label}`;

    beforeAll(async () => {
      fixture = await factory();
    });
    afterAll(async () => {
      await fixture?.cleanup(queues);
    });

    it('delivers a message to every queue bound to its topic, with its id, payload and headers', async () => {
      const { first } = fixture;
      const exact: Message[] = [];
      const wildcard: Message[] = [];
      const unrelated: Message[] = [];
      const subs = [
        await first.subscribe(queue('exact'), [topic('order.created')], async (m) => void exact.push(m)),
        await first.subscribe(queue('wildcard'), [`contract.${suffix}.order.*`], async (m) => void wildcard.push(m)),
        await first.subscribe(queue('unrelated'), [topic('invoice.#')], async (m) => void unrelated.push(m)),
      ];
      const id = randomUUID();
      await first.publish(topic('order.created'), { orderId: 7, lines: ['a'] }, { id, headers: { 'request-id': 'r-1' } });
      await first.publish(topic('invoice.issued.late'), { marker: true });

      await waitFor(() => exact.length === 1 && wildcard.length === 1 && unrelated.length === 1, { what: 'deliveries' });
      for (const m of [exact[0]!, wildcard[0]!]) {
        expect(m).toMatchObject({ id, topic: topic('order.created'), payload: { orderId: 7, lines: ['a'] }, attempt: 1 });
        expect(m.headers).toEqual({ 'request-id': 'r-1' });
        expect(Number.isNaN(Date.parse(m.occurredAt))).toBe(false);
      }
      expect(unrelated[0]!.topic).toBe(topic('invoice.issued.late'));
      await Promise.all(subs.map((s) => s.close()));
    });

    it('never runs a handler inside the publisher call stack', async () => {
      const { first } = fixture;
      let publishing = false;
      let ranDuringPublish: boolean | undefined;
      const sub = await first.subscribe(queue('async'), [topic('async')], async () => {
        ranDuringPublish = publishing;
      });
      publishing = true;
      const published = first.publish(topic('async'), {});
      publishing = false;
      await published;
      await waitFor(() => ranDuringPublish !== undefined, { what: 'delivery' });
      expect(ranDuringPublish).toBe(false);
      await sub.close();
    });

    it('keeps messages in a queue while nobody consumes it', async () => {
      const { first } = fixture;
      const q = queue('durable');
      const early = await first.subscribe(q, [topic('kept')], async () => {});
      await early.close();
      await first.publish(topic('kept'), { n: 1 });
      const got: Message[] = [];
      const late = await first.subscribe(q, [topic('kept')], async (m) => void got.push(m));
      await waitFor(() => got.length === 1, { what: 'kept message' });
      expect(got[0]!.payload).toEqual({ n: 1 });
      await late.close();
    });

    it('refuses a mandatory message no queue is bound to, and takes it once a queue is', async () => {
      const { first } = fixture;
      const t = topic('mandatory');
      await expect(first.publish(t, { n: 1 }, { mandatory: true })).rejects.toMatchObject({ code: 'bus_unroutable' });
      await first.publish(t, { n: 2 }); // not mandatory: dropped as a broker would
      const got: Message[] = [];
      const sub = await first.subscribe(queue('mandatory'), [t], async (m) => void got.push(m));
      await first.publish(t, { n: 3 }, { mandatory: true });
      await waitFor(() => got.length === 1, { what: 'the mandatory message' });
      expect(got.map((m) => m.payload)).toEqual([{ n: 3 }]);
      await sub.close();
    });

    it('shares a queue between competing consumers, each message handled once', async () => {
      const { first, second } = fixture;
      const q = queue('shared');
      const byConsumer: Record<'a' | 'b', number[]> = { a: [], b: [] };
      const handler = (who: 'a' | 'b') => async (m: Message<{ n: number }>) => {
        byConsumer[who].push(m.payload.n);
        // Holding each message a moment keeps both consumers busy, as real work would.
        await new Promise((resolve) => setTimeout(resolve, 5));
      };
      const subs = [
        await first.subscribe(q, [topic('work')], handler('a'), { prefetch: 1 }),
        await second.subscribe(q, [topic('work')], handler('b'), { prefetch: 1 }),
      ];
      const count = 20;
      for (let n = 0; n < count; n++) await first.publish(topic('work'), { n });
      await waitFor(() => byConsumer.a.length + byConsumer.b.length === count, { what: 'all work handled' });
      expect([...byConsumer.a, ...byConsumer.b].sort((x, y) => x - y)).toEqual([...Array(count).keys()]);
      expect(byConsumer.a.length).toBeGreaterThan(0);
      expect(byConsumer.b.length).toBeGreaterThan(0);
      await Promise.all(subs.map((s) => s.close()));
    });

    it('answers a request through a responder and passes its AppError back', async () => {
      const { first, second } = fixture;
      const responder = await second.respond<{ a: number; b: number }, { sum: number }>(topic('sum'), async (payload, m) => {
        if (payload.a < 0) throw new AppError('negative_not_allowed', 422, 'Only non-negative numbers', { field: 'a' });
        expect(m.topic).toBe(topic('sum'));
        return { sum: payload.a + payload.b };
      });
      const failing = await second.respond(topic('broken'), async () => {
        throw new Error('database password is hunter2');
      });

      await expect(first.request(topic('sum'), { a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
      const error = await first.request(topic('sum'), { a: -1, b: 3 }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'negative_not_allowed', status: 422, extra: { field: 'a' } });
      const hidden = await first.request(topic('broken'), {}).catch((err: unknown) => err);
      expect(hidden).toMatchObject({ code: 'bus_responder_failed', status: 502 });
      expect((hidden as Error).message).not.toContain('hunter2');
      await responder.close();
      await failing.close();
    });

    it('rejects a request with bus_timeout when the responder does not answer in time', async () => {
      const { first, second } = fixture;
      let release!: () => void;
      const stuck = new Promise<void>((resolve) => (release = resolve));
      const responder = await second.respond(topic('slow'), async () => {
        await stuck;
        return 'too late';
      });
      const started = Date.now();
      const error = await first.request(topic('slow'), {}, { timeoutMs: 200 }).catch((err: unknown) => err);
      expect(error).toMatchObject({ code: 'bus_timeout', status: 504 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      release();
      await responder.close();
    });

    it('rejects a request at once when nobody responds on its topic', async () => {
      const error = await fixture.first.request(topic('nobody'), {}, { timeoutMs: 5_000 }).catch((err: unknown) => err);
      expect(error).toMatchObject({ code: 'bus_no_responder', status: 503 });
    });

    it('retries a failing handler with back-off and the same message id', async () => {
      const { first } = fixture;
      const q = queue('flaky');
      const seen: Message[] = [];
      const sub = await first.subscribe(
        q,
        [topic('flaky')],
        async (m) => {
          seen.push(m);
          if (m.attempt < 3) throw new Error(`not yet (${m.attempt})`);
        },
        { maxAttempts: 5, backoffMs: fast },
      );
      await first.publish(topic('flaky'), { x: 1 }, { headers: { tenant: 't1' } });
      await waitFor(() => seen.length === 3, { what: 'three attempts' });
      expect(seen.map((m) => m.attempt)).toEqual([1, 2, 3]);
      expect(new Set(seen.map((m) => m.id)).size).toBe(1);
      expect(seen.every((m) => m.topic === topic('flaky') && m.headers.tenant === 't1')).toBe(true);
      await sub.close();
      expect(await first.deadLetters(q)).toEqual([]);
    });

    it('moves a message that keeps failing to the dead-letter queue with the last error', async () => {
      const { first } = fixture;
      const q = queue('poison');
      const attempts: number[] = [];
      const sub = await first.subscribe(
        q,
        [topic('poison')],
        async (m) => {
          attempts.push(m.attempt);
          throw new Error(`cannot apply (attempt ${m.attempt})`);
        },
        { maxAttempts: 3, backoffMs: fast },
      );
      const id = randomUUID();
      await first.publish(topic('poison'), { bad: true }, { id });
      const letters = await waitFor(async () => {
        const found = await first.deadLetters(q);
        return found.length === 1 ? found : undefined;
      }, { what: 'dead letter' });
      expect(attempts).toEqual([1, 2, 3]);
      expect(letters[0]).toMatchObject({ queue: q, message: { id, topic: topic('poison'), payload: { bad: true }, attempt: 3 } });
      expect(letters[0]!.error).toContain('cannot apply (attempt 3)');
      // Inspecting leaves the dead letter where it is.
      expect(await first.deadLetters(q)).toHaveLength(1);
      expect((await first.queueDepths()).find((d) => d.queue === q)).toMatchObject({ deadLetters: 1 });
      await sub.close();
    });

    it('tells how many messages wait in each queue it consumes', async () => {
      const { first } = fixture;
      const q = queue('depth');
      const sub = await first.subscribe(q, [topic('depth')], async () => {});
      await sub.close();
      for (let n = 0; n < 3; n++) await first.publish(topic('depth'), { n });
      await waitFor(async () => (await first.queueDepths()).find((d) => d.queue === q)?.ready === 3, { what: 'three waiting' });
      expect((await first.queueDepths()).find((d) => d.queue === q)).toEqual({ queue: q, ready: 3, deadLetters: 0 });
      const drain = await first.subscribe(q, [topic('depth')], async () => {});
      await waitFor(async () => (await first.queueDepths()).find((d) => d.queue === q)?.ready === 0, { what: 'drained' });
      await drain.close();
    });

    it('refuses a message id that is not a uuid', async () => {
      await expect(fixture.first.publish(topic('x'), {}, { id: 'order-7' })).rejects.toMatchObject({ code: 'bus_invalid_message_id' });
    });
  });
}

// npm run bench:80020 — a 30 MB 80020 file (half-hourly channel 01 of 8,200 measuring points, windows-1251)
// made on the fly and parsed as it is made: time, MB/s, channels/s, peak RSS and peak heap after collections.
// BENCH_80020_POINTS changes the size (about 3.9 KB per point).
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { hourlyValues, parse80020 } from '@app/metering-formats';
import { large80020 } from '@app/metering-formats/testing';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const points = Number(process.env.BENCH_80020_POINTS ?? 8_200);
const mib = (n: number) => (n / 1024 / 1024).toFixed(1);

gc();
const baseRss = process.memoryUsage().rss;
const baseHeap = process.memoryUsage().heapUsed;
let bytes = 0;
let channels = 0;
let peakRss = baseRss;
let peakHeapLive = 0;
let peakHeapRaw = 0;
async function* counted() {
  for await (const chunk of large80020(points)) {
    bytes += chunk.length;
    yield chunk;
  }
}
const started = process.hrtime.bigint();
for await (const event of parse80020(counted())) {
  if (event.type !== 'channel') continue;
  hourlyValues(event.channel);
  channels++;
  if (channels % 500 === 0) {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeapRaw = Math.max(peakHeapRaw, m.heapUsed - baseHeap);
  }
  if (channels % 2500 === 0) {
    gc();
    peakHeapLive = Math.max(peakHeapLive, process.memoryUsage().heapUsed - baseHeap);
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`80020 file: ${mib(bytes)} MiB, ${points} points, ${channels} channels (48 half-hours each), windows-1251`);
console.log(`parsed in ${seconds.toFixed(2)} s: ${(bytes / 1024 / 1024 / seconds).toFixed(1)} MiB/s, ${Math.round(channels / seconds)} channels/s (generation included)`);
console.log(`peak RSS ${mib(peakRss)} MiB (${mib(peakRss - baseRss)} MiB above the process before the file)`);
console.log(`heap growth: at most ${mib(peakHeapRaw)} MiB between collections, ${mib(peakHeapLive)} MiB live after a full collection`);

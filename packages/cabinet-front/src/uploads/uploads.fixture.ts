import type { ConsumerSnapshot } from '@app/cabinet-contracts';

/** A consumer's snapshot with an interval meter on a second metering point (hourly data). */
export function withIntervalPoints(snapshot: ConsumerSnapshot, count: number): ConsumerSnapshot {
  const copy = structuredClone(snapshot);
  const object = copy.contracts[0]!.objects[0]!;
  for (let i = 1; i <= count; i++) {
    const tag = `${copy.consumerRef}-ip${i}`;
    object.meteringPoints.push({
      id: tag,
      code: `TU-H-${i}`,
      name: `Ввод почасовой ${i}`,
      meters: [{ id: `${tag}-m`, serial: `SN-H-${i}`, model: 'Меркурий 234', kind: 'interval', digits: 7, fractionDigits: 2, transformationRatio: '1', zones: ['T1'], installedOn: '2024-01-01', lastReadings: [] }],
    });
  }
  return copy;
}

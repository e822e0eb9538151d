/**
 * What the reference billing answers, in its own terms (ids as decimal text, money as bigint kopecks,
 * kWh and readings as decimal text, dates as YYYY-MM-DD). cabinet-back's adapter maps these to the
 * cabinet's published language; billing-ref does not know it.
 */
export interface ConsumerRecord {
  id: string;
  kind: 'organisation' | 'person';
  name: string;
  inn?: string;
  ogrn?: string;
  snils?: string;
  email?: string;
  phone?: string;
  address?: string;
}

export interface MeterRecord {
  id: string;
  serial: string;
  model: string;
  kind: 'integral' | 'interval';
  digits: number;
  fractionDigits: number;
  transformationRatio: string;
  zones: string[];
  installedOn: string;
  verifiedOn?: string;
  nextVerificationOn?: string;
  lastReadings: Array<{ zone: string; date: string; value: string }>;
  /** Average monthly kWh of one zone over the last year (mean over the meter's zones). */
  averageMonthlyKwh?: string;
}

export interface MeteringPointRecord {
  id: string;
  code: string;
  name: string;
  voltage?: string;
  maxPowerKw?: string;
  meters: MeterRecord[];
}

export interface SupplyObjectRecord {
  id: string;
  name: string;
  address: string;
  meteringPoints: MeteringPointRecord[];
}

export interface ContractRecord {
  id: string;
  consumerId: string;
  number: string;
  status: 'active' | 'terminated';
  startedOn: string;
  endedOn?: string;
  readingWindow: { fromDay: number; toDay: number };
  objects: SupplyObjectRecord[];
}

export interface ReadingRecord {
  id: string;
  consumerId: string;
  /** The cabinet's reading id, when the reading came from the cabinet. */
  cabinetReadingId?: string;
  /** The meter id as submitted (also when no such meter was found). */
  meterId: string;
  zone: string;
  date: string;
  value: string;
  source: string;
  status: 'accepted' | 'rejected';
  reasonCode?: string;
  reasonText?: string;
  consumptionKwh?: string;
  processedAt: Date;
}

export interface InvoiceRecord {
  id: string;
  contractId: string;
  consumerId: string;
  kind: 'invoice' | 'act';
  number: string;
  /** YYYY-MM */
  period: string;
  issuedOn: string;
  dueOn?: string;
  amount: bigint;
  kwh: string;
}

export interface PaymentRecord {
  id: string;
  contractId: string;
  consumerId: string;
  paidOn: string;
  amount: bigint;
  document: string;
  source: string;
}

export interface HourlyRecord {
  date: string;
  hours: string[];
}

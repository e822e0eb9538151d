import { useTranslation } from 'react-i18next';
import type { RequestView } from '../api/views.js';

type Zone = { zone: string; value: string };
const str = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));

/** The typed part of a request as a list of facts, per kind (cabinet-contracts' RequestFields). */
export function RequestFields({ request }: { request: RequestView }) {
  const { t } = useTranslation();
  const f = request.fields as Record<string, unknown>;
  const rows: Array<[string, string | null]> = [];
  const zones = (list: unknown) => ((list as Zone[] | undefined) ?? []).map((z) => `${z.zone}: ${z.value}`).join('; ');
  if (request.kind === 'correct_details') {
    rows.push(['contractId', str(f.contractId)], ['meteringPointId', str(f.meteringPointId)], ['detail', str(f.detail)], ['currentValue', str(f.currentValue)], ['correctValue', str(f.correctValue)]);
  } else if (request.kind === 'terminate_contract') {
    rows.push(['contractId', str(f.contractId)], ['terminateOn', str(f.terminateOn)], ['reason', str(f.reason)]);
  } else if (request.kind === 'meter_replacement') {
    const oldMeter = (f.oldMeter ?? {}) as Record<string, unknown>;
    const newMeter = (f.newMeter ?? {}) as Record<string, unknown>;
    rows.push(
      ['meteringPointId', str(f.meteringPointId)],
      ['replacedOn', str(f.replacedOn)],
      ['oldMeter', str(oldMeter.meterId)],
      ['finalReadings', zones(oldMeter.finalReadings)],
      ['newSerial', str(newMeter.serial)],
      ['newModel', str(newMeter.model)],
      ['newDigits', str(newMeter.digits)],
      ['newRatio', str(newMeter.transformationRatio)],
      ['newVerifiedOn', str(newMeter.verifiedOn)],
      ['initialReadings', zones(newMeter.initialReadings)],
    );
  }
  const shown = rows.filter(([, v]) => v);
  if (!shown.length) return null;
  return (
    <dl className="facts" aria-label={t('request.fields')}>
      {shown.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{t(`request.field.${k}`)}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

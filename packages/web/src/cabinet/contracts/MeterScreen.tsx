import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { api, call } from '../api/client.js';
import type { ScreenProps } from '../screens.js';
import { date, number } from '../shell/format.js';
import { Loadable } from '../shell/Page.js';

/** A meter: its dial, ratio, zones, verification dates and last accepted readings; readings entry from here. */
export function MeterScreen({ params }: ScreenProps) {
  const { t } = useTranslation();
  const meter = useQuery({ queryKey: ['meter', params.meterId], queryFn: () => call(api.GET('/api/meters/{meterId}', { params: { path: { meterId: params.meterId! } } })) });
  return (
    <Loadable error={meter.error} loading={meter.isLoading}>
      {() => {
        const m = meter.data!;
        return (
          <section>
            <p>
              <Link to={`/contracts/${encodeURIComponent(m.contractId)}`}>{t('meters.toContract')}</Link>
            </p>
            <h1>{t('meters.title', { serial: m.serial })}</h1>
            <dl className="facts card">
              <dt>{t('meters.model')}</dt>
              <dd>{m.model}</dd>
              <dt>{t('meters.kind')}</dt>
              <dd>{t(`meters.kinds.${m.kind}`, { defaultValue: m.kind })}</dd>
              <dt>{t('meters.digits')}</dt>
              <dd>{t('meters.dial', { digits: m.digits, fraction: m.fractionDigits })}</dd>
              <dt>{t('meters.ratio')}</dt>
              <dd>{number(m.transformationRatio)}</dd>
              <dt>{t('meters.zones')}</dt>
              <dd>{m.zones.join(', ')}</dd>
              <dt>{t('meters.installedOn')}</dt>
              <dd>{date(m.installedOn)}</dd>
              <dt>{t('meters.verifiedOn')}</dt>
              <dd>{date(m.verifiedOn)}</dd>
              <dt>{t('meters.nextVerification')}</dt>
              <dd>{date(m.nextVerificationOn)}</dd>
              {m.averageMonthlyKwh && (
                <>
                  <dt>{t('meters.average')}</dt>
                  <dd>{t('meters.kwh', { value: number(m.averageMonthlyKwh, 0) })}</dd>
                </>
              )}
            </dl>
            <div className="row">
              {m.kind === 'integral' && (
                <Link to={`/readings?meter=${encodeURIComponent(m.id)}`} className="button primary">
                  {t('meters.enterReadings')}
                </Link>
              )}
              <Link to={`/consumption?point=${encodeURIComponent(m.pointId)}`} className="button">
                {t('meters.consumption')}
              </Link>
            </div>
            <h2>{t('meters.lastReadings')}</h2>
            <DataTable
              caption={t('meters.lastReadings')}
              rows={m.lastReadings}
              rowKey={(r) => r.zone}
              columns={[
                { key: 'zone', title: t('meters.zone'), render: (r) => r.zone },
                { key: 'date', title: t('meters.date'), render: (r) => date(r.date) },
                { key: 'value', title: t('meters.value'), render: (r) => number(r.value, 4), numeric: true },
              ]}
            />
          </section>
        );
      }}
    </Loadable>
  );
}

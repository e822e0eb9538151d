import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { api, call } from '../api/client.js';
import type { ScreenProps } from '../screens.js';
import { number } from '../shell/format.js';
import { Loadable } from '../shell/Page.js';
import { MetersTable } from './ContractScreen.js';

/** A metering point: voltage, maximum power, its meters, and its consumption charts. */
export function PointScreen({ params }: ScreenProps) {
  const { t } = useTranslation();
  const pointId = params.pointId!;
  const point = useQuery({ queryKey: ['point', pointId], queryFn: () => call(api.GET('/api/metering-points/{pointId}', { params: { path: { pointId } } })) });
  const meters = useQuery({ queryKey: ['meters', { pointId }], queryFn: () => call(api.GET('/api/meters', { params: { query: { pointId, limit: 100, offset: 0 } } })), enabled: point.isSuccess });
  return (
    <Loadable error={point.error} loading={point.isLoading}>
      {() => {
        const p = point.data!;
        return (
          <section>
            <p>
              <Link to={`/contracts/${encodeURIComponent(p.contractId)}`}>{t('meters.toContract')}</Link>
            </p>
            <h1>
              {t('contracts.point')} {p.code}
            </h1>
            <dl className="facts card">
              <dt>{t('points.name')}</dt>
              <dd>{p.name}</dd>
              <dt>{t('points.voltage')}</dt>
              <dd>{p.voltage ?? '—'}</dd>
              <dt>{t('points.maxPower')}</dt>
              <dd>{p.maxPowerKw ? `${number(p.maxPowerKw)} ${t('points.kw')}` : '—'}</dd>
            </dl>
            <p>
              <Link to={`/consumption?point=${encodeURIComponent(p.id)}`} className="button">
                {t('meters.consumption')}
              </Link>
            </p>
            <h2>{t('nav.meters')}</h2>
            <MetersTable meters={meters.data?.items} caption={t('contracts.metersOf', { point: p.code })} />
          </section>
        );
      }}
    </Loadable>
  );
}

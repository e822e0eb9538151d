import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { api, call } from '../api/client.js';
import type { ScreenProps } from '../screens.js';
import { ActionHistory } from '../security/ActionHistory.js';
import { date, number } from '../shell/format.js';
import { Loadable, Status } from '../shell/Page.js';

/** A contract with its supply objects, their metering points and the meters on each, and who did what on it. */
export function ContractScreen({ params }: ScreenProps) {
  const { t } = useTranslation();
  const contract = useQuery({ queryKey: ['contract', params.contractId], queryFn: () => call(api.GET('/api/contracts/{contractId}', { params: { path: { contractId: params.contractId! } } })) });
  return (
    <Loadable error={contract.error} loading={contract.isLoading}>
      {() => {
        const c = contract.data!;
        return (
          <section>
            <p>
              <Link to="/contracts">{t('common.back')}</Link>
            </p>
            <h1>{t('contracts.title', { number: c.number })}</h1>
            <dl className="facts card">
              <dt>{t('common.status')}</dt>
              <dd>
                <Status group="contracts.status" value={c.status} />
              </dd>
              <dt>{t('contracts.startedOn')}</dt>
              <dd>{date(c.startedOn)}</dd>
              {c.endedOn && (
                <>
                  <dt>{t('contracts.endedOn')}</dt>
                  <dd>{date(c.endedOn)}</dd>
                </>
              )}
              <dt>{t('contracts.readingWindow')}</dt>
              <dd>{t('contracts.window', { from: c.readingWindow.fromDay, to: c.readingWindow.toDay })}</dd>
            </dl>
            <h2>{t('contracts.objects')}</h2>
            {c.objects.length === 0 && <p className="hint">{t('common.empty')}</p>}
            {c.objects.map((o) => (
              <article key={o.id} className="card" aria-labelledby={`object-${o.id}`}>
                <h3 id={`object-${o.id}`}>{o.name}</h3>
                <p className="hint">{o.address}</p>
                {o.meteringPoints.map((p) => (
                  <div key={p.id} className="point">
                    <h4>
                      <Link to={`/points/${encodeURIComponent(p.id)}`}>
                        {t('contracts.point')} {p.code} — {p.name}
                      </Link>
                    </h4>
                    <p className="hint">
                      {[p.voltage && t('contracts.voltage', { value: p.voltage }), p.maxPowerKw && t('contracts.maxPower', { value: number(p.maxPowerKw) })].filter(Boolean).join(' · ')}
                    </p>
                    <MetersTable meters={p.meters} caption={t('contracts.metersOf', { point: p.code })} />
                  </div>
                ))}
              </article>
            ))}
            <section className="card" aria-label={t('contracts.history')}>
              <ActionHistory consumerRef={c.consumerRef} contractId={c.id} title={t('contracts.history')} />
            </section>
          </section>
        );
      }}
    </Loadable>
  );
}

export interface MeterRow {
  id: string;
  serial: string;
  model: string;
  kind: string;
  digits: number;
  fractionDigits: number;
  transformationRatio: string;
  zones: string[];
  nextVerificationOn?: string;
}

export function MetersTable({ meters, caption }: { meters: MeterRow[] | undefined; caption: string }) {
  const { t } = useTranslation();
  return (
    <DataTable
      caption={caption}
      rows={meters}
      rowKey={(m) => m.id}
      columns={[
        { key: 'serial', title: t('meters.serial'), render: (m) => <Link to={`/meters/${encodeURIComponent(m.id)}`}>{m.serial}</Link> },
        { key: 'model', title: t('meters.model'), render: (m) => m.model },
        { key: 'kind', title: t('meters.kind'), render: (m) => t(`meters.kinds.${m.kind}`, { defaultValue: m.kind }) },
        { key: 'digits', title: t('meters.digits'), render: (m) => `${m.digits}${m.fractionDigits ? `,${m.fractionDigits}` : ''}` },
        { key: 'ratio', title: t('meters.ratio'), render: (m) => number(m.transformationRatio), numeric: true },
        { key: 'zones', title: t('meters.zones'), render: (m) => m.zones.join(', ') },
        { key: 'verify', title: t('meters.nextVerification'), render: (m) => date(m.nextVerificationOn) },
      ]}
    />
  );
}

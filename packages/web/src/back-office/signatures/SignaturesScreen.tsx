import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, callAs } from '../api/client.js';
import type { Page, SignatureView } from '../api/views.js';
import { SignatureReport } from './SignatureReport.js';

const LIMIT = 20;

/** Every signature the cabinet verified, newest first: who signed what and when, with the report. */
export function SignaturesScreen() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['signatures', offset], placeholderData: keepPreviousData, queryFn: () => callAs<Page<SignatureView>>(api.GET('/api/back-office/signatures', { params: { query: { limit: LIMIT, offset } } })) });
  const shown = list.data?.items.find((s) => s.id === open);
  return (
    <section>
      <h1>{t('nav.signatures')}</h1>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t('nav.signatures')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(s) => s.id}
        columns={[
          { key: 'at', title: t('signatures.signedAt'), render: (s) => dateTime(s.signedAt) },
          { key: 'who', title: t('signatures.signedBy'), render: (s) => `${s.signedBy.name} (${s.signedBy.login})` },
          { key: 'signer', title: t('signatures.certificate'), render: (s) => s.report.signer?.commonName ?? (s.method === 'simple' ? t('signatures.method.simple') : '—') },
          { key: 'method', title: t('signatures.methodTitle'), render: (s) => `${t(`signatures.method.${s.method}`)}, ${s.algorithm}` },
          { key: 'ok', title: t('signatures.result'), render: (s) => <span className={s.report.ok ? 'ok' : 'bad'}>{s.report.ok ? t('signatures.valid') : t('signatures.invalid', { code: s.report.code ?? '' })}</span> },
          {
            key: 'act',
            title: t('common.actions'),
            render: (s) => (
              <span className="row">
                <button type="button" aria-expanded={open === s.id} onClick={() => setOpen(open === s.id ? null : s.id)}>
                  {t('signatures.report')}
                </button>
                <Link to={`/applications/${s.applicationId}`}>{t('signatures.application')}</Link>
              </span>
            ),
          },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
      {shown && (
        <section className="panel" aria-labelledby="report-title">
          <h2 id="report-title">{t('signatures.report')}</h2>
          <SignatureReport signature={shown} />
        </section>
      )}
    </section>
  );
}

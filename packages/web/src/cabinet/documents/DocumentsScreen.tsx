import '../requests/areas.css';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';
import { api, call, type Ok } from '../api/client.js';
import { dateTimeOf } from '../requests/format.js';

type Doc = Ok<'/api/documents', 'get'>['items'][number];
const LIMIT = 20;

/**
 * Contracts and additional agreements the supplier issued: the ones awaiting the consumer's signature
 * first, then the signed ones with who signed and when. Each list is the front's own page of the
 * caller's documents (GET /api/documents?status=…): those of their applications and the agreements to
 * contracts of consumers they act for, newest first.
 */
export function DocumentsScreen() {
  const { t } = useTranslation();
  const columns = (withSigner: boolean) => [
    { key: 'title', title: t('documents.document'), render: (d: Doc) => <Link to={`/documents/${d.id}`}>{d.title}</Link> },
    {
      key: 'basis',
      title: t('documents.basis'),
      render: (d: Doc) =>
        d.applicationId ? <Link to={`/applications/${d.applicationId}`}>{t('documents.toApplication')}</Link> : d.contractNumber ? t('documents.ofContract', { number: d.contractNumber }) : '',
    },
    { key: 'issued', title: t('documents.issuedAt'), render: (d: Doc) => dateTimeOf(d.issuedAt) },
    withSigner
      ? { key: 'signed', title: t('documents.signedBy'), render: (d: Doc) => d.signatures.map((s) => `${s.signedBy} · ${dateTimeOf(s.signedAt)}`).join('; ') }
      : { key: 'how', title: t('documents.how'), render: (d: Doc) => (d.allowSimpleSignature ? t('documents.howBoth') : t('documents.howCert')) },
  ];
  return (
    <section>
      <h1>{t('documents.title')}</h1>
      <DocumentList status="issued" title={t('documents.awaiting')} columns={columns(false)} />
      <DocumentList status="signed" title={t('documents.signed')} columns={columns(true)} />
    </section>
  );
}

function DocumentList({ status, title, columns }: { status: 'issued' | 'signed'; title: string; columns: { key: string; title: string; render: (d: Doc) => ReactNode }[] }) {
  const [offset, setOffset] = useState(0);
  const list = useQuery({
    queryKey: ['documents', status, offset],
    queryFn: () => call(api.GET('/api/documents', { params: { query: { status, limit: LIMIT, offset } } })),
  });
  const items = list.data?.items;
  return (
    <>
      <h2>{title}</h2>
      <ErrorNote error={list.error} />
      <DataTable caption={title} rows={items} loading={list.isFetching} rowKey={(d) => d.id} columns={columns} />
      {(list.data?.total ?? 0) > LIMIT && <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={items?.length ?? 0} onChange={setOffset} />}
    </>
  );
}

import '../requests/areas.css';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { api, call, type Ok } from '../api/client.js';
import { dateTimeOf } from '../requests/format.js';

type Doc = Ok<'/api/documents/{documentId}', 'get'> & { applicationAddress: string };

/**
 * Contracts and additional agreements the supplier issued: the ones awaiting the consumer's
 * signature first, then the signed ones with who signed and when. Documents belong to applications,
 * so the list is gathered from the consumer's applications that have reached the supplier.
 */
export function DocumentsScreen() {
  const { t } = useTranslation();
  const docs = useQuery({
    queryKey: ['documents'],
    queryFn: async (): Promise<Doc[]> => {
      const apps = await call(api.GET('/api/applications', { params: { query: { limit: 100, offset: 0 } } }));
      const withDocs = apps.items.filter((a) => !['draft', 'withdrawn'].includes(a.status));
      const details = await Promise.all(withDocs.map((a) => call(api.GET('/api/applications/{applicationId}', { params: { path: { applicationId: a.id } } }))));
      return details.flatMap((a) => a.documents.map((d) => ({ ...d, applicationAddress: a.objectAddress })));
    },
  });
  const awaiting = docs.data?.filter((d) => d.status === 'issued');
  const signed = docs.data?.filter((d) => d.status === 'signed');
  const columns = (withSigner: boolean) => [
    { key: 'title', title: t('documents.document'), render: (d: Doc) => <Link to={`/documents/${d.id}`}>{d.title}</Link> },
    { key: 'object', title: t('documents.application'), render: (d: Doc) => <Link to={`/applications/${d.applicationId}`}>{d.applicationAddress}</Link> },
    { key: 'issued', title: t('documents.issuedAt'), render: (d: Doc) => dateTimeOf(d.issuedAt) },
    withSigner
      ? { key: 'signed', title: t('documents.signedBy'), render: (d: Doc) => d.signatures.map((s) => `${s.signedBy} · ${dateTimeOf(s.signedAt)}`).join('; ') }
      : { key: 'how', title: t('documents.how'), render: (d: Doc) => (d.allowSimpleSignature ? t('documents.howBoth') : t('documents.howCert')) },
  ];
  return (
    <section>
      <h1>{t('documents.title')}</h1>
      <ErrorNote error={docs.error} />
      <h2>{t('documents.awaiting')}</h2>
      <DataTable caption={t('documents.awaiting')} rows={awaiting} loading={docs.isFetching} rowKey={(d) => d.id} columns={columns(false)} />
      <h2>{t('documents.signed')}</h2>
      <DataTable caption={t('documents.signed')} rows={signed} loading={docs.isFetching} rowKey={(d) => d.id} columns={columns(true)} />
    </section>
  );
}

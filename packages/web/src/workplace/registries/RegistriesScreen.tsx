import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call, csrfToken, toApiError, type Ok } from '../../shared/api/client.js';
import { dateTime } from '../../shared/format.js';
import { Link, useRouter } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Field, Progress } from '../../shared/ui/Feedback.js';
import { OffsetPager } from '../../shared/ui/Pager.js';

type Received = { registry: Ok<'/api/staff/registries/{id}', 'get'> };
const LIMIT = 25;

/**
 * Registries from the customer's systems: upload (client or credit registry, CSV or .xlsx) with upload
 * progress, then the registry's own screen previews each line and applies it.
 */
export function RegistriesScreen() {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const [offset, setOffset] = useState(0);
  const [kind, setKind] = useState<'clients' | 'credits'>('credits');
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const list = useQuery({ queryKey: ['registries', offset], placeholderData: keepPreviousData, queryFn: () => call(api.GET('/api/staff/registries', { params: { query: { limit: LIMIT, offset } } })) });
  const upload = useMutation({
    // XMLHttpRequest, not fetch: only it reports upload progress for a large file.
    mutationFn: () => uploadWithProgress(`/api/staff/registries?kind=${kind}`, file!, setSent),
    onSuccess: (received) => navigate(`/registries/${received.registry.id}`),
  });
  return (
    <section>
      <h1>{t('registries.list')}</h1>
      <form
        className="panel inline"
        aria-label={t('registries.upload')}
        onSubmit={(e) => {
          e.preventDefault();
          if (file) upload.mutate();
        }}
      >
        <Field label={t('registries.kind')}>
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as 'clients' | 'credits')}>
            <option value="credits">{t('registries.kinds.credits')}</option>
            <option value="clients">{t('registries.kinds.clients')}</option>
          </select>
        </Field>
        <Field label={t('registries.file')} hint={t('registries.fileHint')}>
          <input name="file" type="file" accept=".csv,.xlsx" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </Field>
        <button type="submit" disabled={!file || upload.isPending}>
          {t('registries.upload')}
        </button>
        <span className="row">
          <a href={`/api/staff/registries/templates/${kind}.csv`}>{t('registries.templateCsv')}</a>
          <a href={`/api/staff/registries/templates/${kind}.xlsx`}>{t('registries.templateXlsx')}</a>
        </span>
        {upload.isPending && <Progress value={sent} label={t('registries.uploading')} />}
      </form>
      <ErrorNote error={upload.error ?? list.error} />
      <DataTable
        caption={t('registries.list')}
        rows={list.data?.items}
        loading={list.isFetching}
        rowKey={(r) => r.id}
        columns={[
          { key: 'number', title: '№', render: (r) => <Link to={`/registries/${r.id}`}>{r.number}</Link> },
          { key: 'kind', title: t('registries.kind'), render: (r) => t(`registries.kinds.${r.kind}`) },
          { key: 'status', title: t('common.status'), render: (r) => t(`registries.statuses.${r.status}`) },
          { key: 'lines', title: t('registries.lines'), numeric: true, render: (r) => `${r.lines.applied}/${r.lines.total}` },
          { key: 'invalid', title: t('registries.invalid'), numeric: true, render: (r) => r.lines.invalid + r.lines.failed },
          { key: 'at', title: t('registries.receivedAt'), render: (r) => dateTime(r.receivedAt) },
        ]}
      />
      <OffsetPager offset={offset} limit={LIMIT} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}

function uploadWithProgress(url: string, file: File, onProgress: (percent: number) => void): Promise<Received> {
  const body = new FormData();
  body.append('file', file);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    const token = csrfToken();
    if (token) xhr.setRequestHeader('x-csrf-token', token);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      if (xhr.status < 300) resolve(JSON.parse(xhr.responseText) as Received);
      else reject(toApiError(xhr.status, parse(xhr.responseText)));
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.send(body);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

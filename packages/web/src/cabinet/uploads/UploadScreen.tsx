import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Notice, Progress } from '../../shared/ui/Feedback.js';
import { toApiError as toUploadError } from '../../shared/api/client.js';
import { api, call, csrfToken, download, type Ok } from '../api/client.js';
import { Field } from '../shell/Field.js';

type Upload = Ok<'/api/readings/uploads/{uploadId}', 'get'>;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Readings in Excel: the cabinet makes a template of the consumer's own meters (a sheet per tariff zone)
 * and interval points (an hourly sheet); the filled file goes up with a progress bar (bytes sent), then
 * the server's job is followed (checking, reading rows, sending to billing) to its result — what was
 * sent and every refused cell (sheet, cell, reason).
 */
export function UploadScreen() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const summary = useQuery({ queryKey: ['summary'], queryFn: () => call(api.GET('/api/summary')) });
  const consumers = summary.data?.consumers ?? [];
  const [consumerRef, setConsumer] = useState('');
  const ref = consumerRef || consumers[0]?.consumerRef || '';
  const [file, setFile] = useState<File | null>(null);
  const [confirmJump, setConfirmJump] = useState(false);
  const [sent, setSent] = useState<number | null>(null);
  const [uploadId, setUploadId] = useState<string | null>(null);

  const template = useMutation({ mutationFn: () => download(`/api/consumers/${encodeURIComponent(ref)}/readings-template`, 'readings-template.xlsx') });
  const upload = useMutation({
    mutationFn: () =>
      new Promise<Upload>((resolve, reject) => {
        // XMLHttpRequest, not fetch: only it reports the bytes sent of a request body.
        const xhr = new XMLHttpRequest();
        const query = new URLSearchParams({ consumerRef: ref, fileName: file!.name, ...(confirmJump ? { confirmJump: 'true' } : {}) });
        xhr.open('POST', `/api/readings/uploads?${query}`);
        xhr.setRequestHeader('content-type', XLSX);
        xhr.setRequestHeader('accept', 'application/json');
        const token = csrfToken();
        if (token) xhr.setRequestHeader('x-csrf-token', token);
        xhr.upload.onprogress = (e) => e.lengthComputable && setSent(Math.round((e.loaded / e.total) * 100));
        xhr.onload = () => {
          const body = (() => {
            try {
              return JSON.parse(xhr.responseText) as unknown;
            } catch {
              return {};
            }
          })();
          if (xhr.status >= 200 && xhr.status < 300) resolve(body as Upload);
          else reject(toUploadError(xhr.status, body));
        };
        xhr.onerror = () => reject(new Error(t('uploads.networkError')));
        xhr.send(file);
      }),
    onMutate: () => {
      setSent(0);
      setUploadId(null);
    },
    onSuccess: (u) => setUploadId(u.id),
  });
  const job = useQuery({
    queryKey: ['upload', uploadId],
    queryFn: () => call(api.GET('/api/readings/uploads/{uploadId}', { params: { path: { uploadId: uploadId! } } })),
    enabled: !!uploadId,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'done' || q.state.data.status === 'failed') ? false : 700),
  });
  const u = job.data;
  if (u?.status === 'done') void client.invalidateQueries({ queryKey: ['readings'] });

  return (
    <section>
      <p>
        <Link to="/readings">{t('common.back')}</Link>
      </p>
      <h1>{t('nav.upload')}</h1>
      <ErrorNote error={summary.error} />
      <div className="card">
        <h2>{t('uploads.step1')}</h2>
        <p className="hint">{t('uploads.templateHint')}</p>
        {consumers.length > 1 && (
          <Field label={t('uploads.consumer')}>
            <select name="consumer" value={ref} onChange={(e) => setConsumer(e.target.value)}>
              {consumers.map((c) => (
                <option key={c.consumerRef} value={c.consumerRef}>
                  {c.name ?? c.consumerRef}
                </option>
              ))}
            </select>
          </Field>
        )}
        <button type="button" disabled={!ref || template.isPending} onClick={() => template.mutate()}>
          {t('uploads.template')}
        </button>
        <ErrorNote error={template.error} />
      </div>
      <form
        className="card"
        aria-labelledby="upload-step2"
        onSubmit={(e) => {
          e.preventDefault();
          if (file && ref) upload.mutate();
        }}
      >
        <h2 id="upload-step2">{t('uploads.step2')}</h2>
        <Field label={t('uploads.file')} hint={t('uploads.fileHint')}>
          <input name="file" type="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </Field>
        <label className="check">
          <input type="checkbox" name="confirmJump" checked={confirmJump} onChange={(e) => setConfirmJump(e.target.checked)} />
          {t('uploads.confirmJump')}
        </label>
        <button type="submit" disabled={!file || !ref || upload.isPending || (!!u && u.status !== 'done' && u.status !== 'failed')}>
          {t('uploads.submit')}
        </button>
        {sent !== null && <Progress value={sent} label={t('uploads.sending')} />}
        <ErrorNote error={upload.error ?? job.error} />
      </form>
      {u && (
        <div className="card" aria-live="polite" data-testid="upload-result">
          <h2>{t('uploads.result')}</h2>
          <Progress value={u.progress} label={t(`uploads.status.${u.status}`)} />
          {u.status === 'failed' && u.failure && <p className="error">{t(`uploads.failure.${u.failure.code}`, { defaultValue: u.failure.message })}</p>}
          {u.status === 'done' && (
            <Notice>
              {t('uploads.done', { rows: u.rowsRead, readings: u.readingsSent, days: u.hourlyDaysSent, errors: u.errorCount })}
            </Notice>
          )}
          {u.errors.length > 0 && (
            <>
              <h3>{t('uploads.errors', { count: u.errorCount })}</h3>
              <DataTable
                caption={t('uploads.errors', { count: u.errorCount })}
                rows={u.errors}
                rowKey={(e) => `${e.sheet}!${e.cell}:${e.code}`}
                columns={[
                  { key: 'sheet', title: t('uploads.sheet'), render: (e) => e.sheet },
                  { key: 'cell', title: t('uploads.cell'), render: (e) => <code>{e.cell}</code> },
                  { key: 'why', title: t('uploads.reason'), render: (e) => t(`uploads.cellError.${e.code}`, { defaultValue: e.message }) },
                ]}
              />
            </>
          )}
          {u.status === 'done' && u.readingsSent > 0 && (
            <p>
              <Link to="/readings">{t('uploads.toHistory')}</Link>
            </p>
          )}
        </div>
      )}
    </section>
  );
}

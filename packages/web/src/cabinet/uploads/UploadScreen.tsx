import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { DataTable } from '../../shared/ui/DataTable.js';
import { ErrorNote, Notice, Progress } from '../../shared/ui/Feedback.js';
import { toApiError as toUploadError } from '../../shared/api/client.js';
import { api, call, csrfToken, download, type Ok } from '../api/client.js';
import { NoRight, useRight } from '../security/rights.js';
import { Field } from '../shell/Field.js';

type Upload = Ok<'/api/readings/uploads/{uploadId}', 'get'>;
type Format = 'xlsx' | '80020';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Where each kind of file goes, as what, and what the file picker offers. */
const formats: Record<Format, { url: string; type: string; accept: string }> = {
  xlsx: { url: '/api/readings/uploads', type: XLSX, accept: `.xlsx,${XLSX}` },
  '80020': { url: '/api/readings/uploads/80020', type: 'application/xml', accept: '.xml,application/xml,text/xml' },
};

/**
 * Readings in Excel or hourly data as an 80020 XML file (the market's exchange format, as a metering
 * company's system writes it). Excel: the cabinet makes a template of the consumer's own meters (a sheet per tariff zone)
 * and interval points (an hourly sheet); the filled file goes up with a progress bar (bytes sent), then
 * the server's job is followed (checking, reading rows, sending to billing) to its result — what was
 * sent and every refused cell (sheet, cell, reason). 80020: the same job; a refusal names the measuring
 * point's code and the line:column in the file, and billing's acceptance of the days is followed after.
 */
export function UploadScreen() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const summary = useQuery({ queryKey: ['summary'], queryFn: () => call(api.GET('/api/summary')) });
  const consumers = summary.data?.consumers ?? [];
  const [consumerRef, setConsumer] = useState('');
  const ref = consumerRef || consumers[0]?.consumerRef || '';
  const canSubmit = useRight(ref || undefined, 'submit_readings');
  const [format, setFormat] = useState<Format>('xlsx');
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
        const query = new URLSearchParams({ consumerRef: ref, fileName: file!.name, ...(confirmJump && format === 'xlsx' ? { confirmJump: 'true' } : {}) });
        xhr.open('POST', `${formats[format].url}?${query}`);
        xhr.setRequestHeader('content-type', formats[format].type);
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
    // After the file is done, billing's answer on the hourly days is followed too (a minute at most).
    refetchInterval: (q) => {
      const d = q.state.data;
      if (!d) return 700;
      if (d.status === 'failed') return false;
      if (d.status === 'done') return d.hourly.processed < d.hourly.points && Date.now() - Date.parse(d.finishedAt ?? d.createdAt) < 60_000 ? 1000 : false;
      return 700;
    },
  });
  const u = job.data;
  const is80020 = (u?.format ?? format) === '80020';
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
      {canSubmit === false && <NoRight right="submit_readings" />}
      {canSubmit !== false && (
      <form
        className="card"
        aria-labelledby="upload-step2"
        onSubmit={(e) => {
          e.preventDefault();
          if (file && ref) upload.mutate();
        }}
      >
        <h2 id="upload-step2">{t('uploads.step2')}</h2>
        <fieldset>
          <legend>{t('uploads.format')}</legend>
          {(['xlsx', '80020'] as const).map((f) => (
            <label key={f} className="check">
              <input
                type="radio"
                name="format"
                value={f}
                checked={format === f}
                onChange={() => {
                  setFormat(f);
                  setFile(null);
                }}
              />
              {t(`uploads.formats.${f}`)}
            </label>
          ))}
        </fieldset>
        <Field label={t(format === 'xlsx' ? 'uploads.file' : 'uploads.file80020')} hint={t(format === 'xlsx' ? 'uploads.fileHint' : 'uploads.fileHint80020')}>
          <input key={format} name="file" type="file" accept={formats[format].accept} required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </Field>
        {format === 'xlsx' && (
          <label className="check">
            <input type="checkbox" name="confirmJump" checked={confirmJump} onChange={(e) => setConfirmJump(e.target.checked)} />
            {t('uploads.confirmJump')}
          </label>
        )}
        <button type="submit" disabled={!file || !ref || upload.isPending || (!!u && u.status !== 'done' && u.status !== 'failed')}>
          {t('uploads.submit')}
        </button>
        {sent !== null && <Progress value={sent} label={t('uploads.sending')} />}
        <ErrorNote error={upload.error ?? job.error} />
      </form>
      )}
      {u && (
        <div className="card" aria-live="polite" data-testid="upload-result">
          <h2>{t('uploads.result')}</h2>
          <Progress value={u.progress} label={t(`uploads.status.${u.status}`)} />
          {u.status === 'failed' && u.failure && <p className="error">{t(`uploads.failure.${u.failure.code}`, { defaultValue: u.failure.message })}</p>}
          {u.status === 'done' && (
            <Notice>
              {is80020
                ? t('uploads.done80020', { channels: u.rowsRead, days: u.hourlyDaysSent, errors: u.errorCount })
                : t('uploads.done', { rows: u.rowsRead, readings: u.readingsSent, days: u.hourlyDaysSent, errors: u.errorCount })}
            </Notice>
          )}
          {u.status === 'done' && u.hourly.points > 0 && (
            <p data-testid="upload-billing">
              {u.hourly.processed < u.hourly.points
                ? t('uploads.billingWaiting', { points: u.hourly.points, processed: u.hourly.processed })
                : t('uploads.billingDone', { days: u.hourly.daysAccepted, rejected: u.hourly.rejected.length })}
            </p>
          )}
          {u.errors.length > 0 && (
            <>
              <h3>{t(is80020 ? 'uploads.pointErrors' : 'uploads.errors', { count: u.errorCount })}</h3>
              <DataTable
                caption={t(is80020 ? 'uploads.pointErrors' : 'uploads.errors', { count: u.errorCount })}
                rows={u.errors}
                rowKey={(e) => `${e.sheet}!${e.cell}:${e.code}`}
                columns={[
                  { key: 'sheet', title: t(is80020 ? 'uploads.point' : 'uploads.sheet'), render: (e) => (is80020 ? <code>{e.sheet}</code> : e.sheet) },
                  { key: 'cell', title: t(is80020 ? 'uploads.place' : 'uploads.cell'), render: (e) => <code>{e.cell}</code> },
                  { key: 'why', title: t('uploads.reason'), render: (e) => t(`uploads.cellError.${e.code}`, { defaultValue: e.message }) },
                ]}
              />
            </>
          )}
          {u.hourly.rejected.length > 0 && (
            <DataTable
              caption={t('uploads.billingRejected', { count: u.hourly.rejected.length })}
              rows={u.hourly.rejected}
              rowKey={(r) => `${r.pointId}:${r.date ?? ''}:${r.code}`}
              columns={[
                { key: 'date', title: t('uploads.date'), render: (r) => r.date ?? '' },
                { key: 'why', title: t('uploads.reason'), render: (r) => t(`uploads.cellError.${r.code}`, { defaultValue: r.message }) },
              ]}
            />
          )}
          {u.status === 'done' && u.readingsSent > 0 && (
            <p>
              <Link to="/readings">{t('uploads.toHistory')}</Link>
            </p>
          )}
          {u.status === 'done' && u.hourlyDaysSent > 0 && (
            <p>
              <Link to="/consumption">{t('uploads.toConsumption')}</Link>
            </p>
          )}
        </div>
      )}
    </section>
  );
}

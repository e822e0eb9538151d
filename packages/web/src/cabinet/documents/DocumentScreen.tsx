import '../requests/areas.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../shared/router.js';
import { ErrorNote, Field, Notice } from '../../shared/ui/Feedback.js';
import { ApiError, api, call, raw } from '../api/client.js';
import type { ScreenProps } from '../screens.js';
import { NoRight } from '../security/rights.js';
import { readBase64 } from '../requests/files.js';
import { dateTimeOf } from '../requests/format.js';
import { findPlugin, listCertificates, signDetached, type PluginCertificate } from './cryptopro.js';

type Report = SignAnswer['report'];
type SignAnswer = { signatureId: string; status: 'signed'; report: { ok: boolean; code?: string; method: string; algorithm: string; digestAlgorithm?: string; signer?: Signer; chain: string[]; verifiedAt: string; checks: { check: string; ok: boolean; detail: string }[] } };
type Signer = { subject: string; issuer: string; serialNumber: string; notBefore: string; notAfter: string; commonName?: string; inn?: string; innle?: string; ogrn?: string; snils?: string };
const MAX_SIGNATURE_BYTES = 64 * 1024;

/**
 * A document issued for signature: open the PDF; sign it with a detached CMS/PKCS#7 signature — a
 * signature file made by the consumer's signing software, or in the page by the CryptoPro browser
 * plug-in where it is installed —, or with a one-time code where the supplier allows a simple
 * signature. The server's verification report is shown for an accepted signature and for a refused
 * one (with the reason); the signatures given so far show who signed, when, and with which certificate.
 */
export function DocumentScreen({ params }: ScreenProps) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const documentId = params.documentId!;
  const doc = useQuery({ queryKey: ['document', documentId], queryFn: () => call(api.GET('/api/documents/{documentId}', { params: { path: { documentId } } })) });
  const [result, setResult] = useState<{ ok: boolean; report?: Report; error?: ApiError } | null>(null);
  const done = (answer: SignAnswer) => {
    setResult({ ok: true, report: answer.report });
    void client.invalidateQueries({ queryKey: ['document', documentId] });
    void client.invalidateQueries({ queryKey: ['documents'] });
    void client.invalidateQueries({ queryKey: ['application'] });
  };
  const refused = (error: unknown) => {
    if (error instanceof ApiError) setResult({ ok: false, error, report: error.body.report as Report | undefined });
    else setResult({ ok: false, error: new ApiError(0, 'network', String(error)) });
  };
  const signCms = useMutation({
    mutationFn: (signatureBase64: string) => call(api.POST('/api/documents/{documentId}/signatures', { params: { path: { documentId } }, body: { signatureBase64 } })) as Promise<SignAnswer>,
    onMutate: () => setResult(null),
    onSuccess: done,
    onError: refused,
  });
  const d = doc.data;
  const open = d?.status === 'issued';
  return (
    <section>
      <p>
        <Link to="/documents">{t('documents.back')}</Link>
      </p>
      <ErrorNote error={doc.error} />
      {d && (
        <>
          <h1>{d.title}</h1>
          <dl className="facts card">
            <dt>{t('common.status')}</dt>
            <dd>
              <span className={`status status-${d.status === 'signed' ? 'accepted' : 'pending'}`} data-testid="document-status">
                {t(`documents.status.${d.status}`)}
              </span>
            </dd>
            <dt>{t('documents.kind')}</dt>
            <dd>{t(`documents.kinds.${d.kind}`)}</dd>
            <dt>{t('documents.issuedAt')}</dt>
            <dd>{dateTimeOf(d.issuedAt)}</dd>
            <dt>{t('documents.file')}</dt>
            <dd>
              <a href={`/api/documents/${d.id}/pdf`} download={d.fileName} className="button">
                {t('documents.openPdf', { name: d.fileName })}
              </a>
            </dd>
            <dt>{t('documents.digest')}</dt>
            <dd className="digest">
              <code>{d.sha256}</code>
            </dd>
            {d.applicationId ? (
              <>
                <dt>{t('documents.application')}</dt>
                <dd>
                  <Link to={`/applications/${d.applicationId}`}>{t('documents.toApplication')}</Link>
                </dd>
              </>
            ) : (
              d.contractNumber && (
                <>
                  {/* An additional agreement to a contract in force has no application: it belongs to the contract. */}
                  <dt>{t('documents.kinds.contract')}</dt>
                  <dd data-testid="document-contract">{d.contractNumber}</dd>
                </>
              )
            )}
          </dl>

          {open && !d.canSign && <NoRight right="sign" />}
          {open && d.canSign && (
            <section aria-labelledby="sign-title" className="card">
              <h2 id="sign-title">{t('documents.sign')}</h2>
              <SignatureFile disabled={signCms.isPending} onSignature={(b64) => signCms.mutate(b64)} />
              <PluginSigning documentId={d.id} disabled={signCms.isPending} onSignature={(b64) => signCms.mutate(b64)} onError={refused} />
              {d.allowSimpleSignature ? <SimpleSigning documentId={d.id} onSigned={done} onError={refused} /> : <p className="hint">{t('documents.simpleNotAllowed')}</p>}
              {signCms.isPending && <p role="status">{t('documents.verifying')}</p>}
            </section>
          )}
          {result && <VerificationResult ok={result.ok} report={result.report} error={result.error} />}

          <section aria-labelledby="signatures-title">
            <h2 id="signatures-title">{t('documents.signatures')}</h2>
            {d.signatures.length === 0 && <p className="hint">{t('documents.noSignatures')}</p>}
            <ul className="plain">
              {d.signatures.map((s) => {
                const signer = s.signer as Signer | undefined;
                return (
                  <li key={s.id} className="card" data-testid="signature">
                    <p>
                      <strong>{s.signedBy}</strong> · <time dateTime={s.signedAt}>{dateTimeOf(s.signedAt)}</time>
                    </p>
                    <p>
                      {t(`documents.method.${s.method}`)} · {s.algorithm.toUpperCase()} · <span className="status status-accepted">{t('documents.verified')}</span>
                    </p>
                    {signer && <SignerFacts signer={signer} />}
                  </li>
                );
              })}
            </ul>
          </section>
        </>
      )}
    </section>
  );
}

function SignatureFile({ onSignature, disabled }: { onSignature: (base64: string) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      className="sign-way"
      aria-labelledby="sign-file-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!file) return;
        if (file.size > MAX_SIGNATURE_BYTES || file.size === 0) return setProblem(t('documents.signatureFileSize'));
        setProblem(null);
        void readBase64(file).then(onSignature);
      }}
    >
      <h3 id="sign-file-title">{t('documents.byFile')}</h3>
      <p className="hint">{t('documents.byFileHint')}</p>
      <Field label={t('documents.signatureFile')}>
        <input type="file" name="signature" accept=".sig,.sgn,.p7s,.p7b,.p7m,.pem,.der,.cms" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </Field>
      {problem && (
        <p role="alert" className="field-error">
          {problem}
        </p>
      )}
      <button type="submit" disabled={disabled || !file}>
        {t('documents.sendSignature')}
      </button>
    </form>
  );
}

/** CryptoPro in the page: listed certificates, sign the PDF's bytes; or a note that no plug-in is here. */
function PluginSigning({ documentId, onSignature, onError, disabled }: { documentId: string; onSignature: (base64: string) => void; onError: (e: unknown) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const plugin = findPlugin();
  const [certs, setCerts] = useState<PluginCertificate[] | null>(null);
  const [chosen, setChosen] = useState<number>(1);
  const [busy, setBusy] = useState(false);
  if (!plugin) {
    return (
      <div className="sign-way" data-testid="plugin-absent">
        <h3>{t('documents.byPlugin')}</h3>
        <p className="hint">{t('documents.pluginAbsent')}</p>
      </div>
    );
  }
  const sign = async () => {
    setBusy(true);
    try {
      const pdf = await (await raw('GET', `/api/documents/${documentId}/pdf`)).blob();
      onSignature(await signDetached(plugin, chosen, await readBase64(pdf)));
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="sign-way" data-testid="plugin-present">
      <h3>{t('documents.byPlugin')}</h3>
      {!certs && (
        <button type="button" disabled={busy} onClick={() => void listCertificates(plugin).then(setCerts, onError)}>
          {t('documents.pluginCertificates')}
        </button>
      )}
      {certs && certs.length === 0 && <p className="hint">{t('documents.pluginNoCertificates')}</p>}
      {certs && certs.length > 0 && (
        <div className="inline">
          <Field label={t('documents.certificate')}>
            <select value={chosen} onChange={(e) => setChosen(Number(e.target.value))}>
              {certs.map((c) => (
                <option key={c.thumbprint} value={c.index}>
                  {c.subject} ({t('documents.validTo', { date: c.validTo })})
                </option>
              ))}
            </select>
          </Field>
          <button type="button" disabled={busy || disabled} onClick={() => void sign()}>
            {t('documents.signWithPlugin')}
          </button>
        </div>
      )}
      {busy && <p role="status">{t('documents.pluginSigning')}</p>}
    </div>
  );
}

function SimpleSigning({ documentId, onSigned, onError }: { documentId: string; onSigned: (a: SignAnswer) => void; onError: (e: unknown) => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const start = useMutation({ mutationFn: () => call(api.POST('/api/documents/{documentId}/simple-signature', { params: { path: { documentId } } })) });
  const confirm = useMutation({
    mutationFn: () => call(api.POST('/api/documents/{documentId}/simple-signature/{challengeId}/confirm', { params: { path: { documentId, challengeId: start.data!.challengeId } }, body: { code } })) as Promise<SignAnswer>,
    onSuccess: onSigned,
    onError,
  });
  return (
    <div className="sign-way">
      <h3>{t('documents.bySimple')}</h3>
      <p className="hint">{t('documents.bySimpleHint')}</p>
      {!start.data && (
        <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
          {t('documents.sendCode')}
        </button>
      )}
      <ErrorNote error={start.error} />
      {start.data && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            confirm.mutate();
          }}
        >
          <Notice>{t('documents.codeSent', { to: start.data.sentTo })}</Notice>
          <Field label={t('documents.code')}>
            <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" required value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          <button type="submit" disabled={confirm.isPending}>
            {t('documents.confirmCode')}
          </button>
        </form>
      )}
    </div>
  );
}

function VerificationResult({ ok, report, error }: { ok: boolean; report?: Report; error?: ApiError }) {
  const { t } = useTranslation();
  return (
    <section role={ok ? 'status' : 'alert'} className={ok ? 'notice' : 'error'} data-testid={ok ? 'signature-accepted' : 'signature-refused'} aria-labelledby="verdict">
      <h2 id="verdict">{ok ? t('documents.accepted') : t('documents.refused')}</h2>
      {!ok && error && <p data-testid="refusal-reason">{t(`documents.refusal.${error.code}`, { defaultValue: t(`errors.${error.code}`, { defaultValue: error.message }) })}</p>}
      {report && (
        <>
          <p>
            {t('documents.algorithm')}: {report.algorithm.toUpperCase()}
            {report.digestAlgorithm ? ` / ${report.digestAlgorithm}` : ''}
          </p>
          {report.signer && <SignerFacts signer={report.signer} />}
          <ul className="checks">
            {report.checks.map((c) => (
              <li key={c.check} className={c.ok ? 'ok' : 'bad'}>
                <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span> <strong>{t(`documents.check.${c.check}`, { defaultValue: c.check })}</strong>
                <span className="sr-only">{c.ok ? t('documents.checkOk') : t('documents.checkFailed')}</span>: {c.detail}
              </li>
            ))}
          </ul>
          {report.chain.length > 0 && <p className="hint">{t('documents.chain', { chain: report.chain.join(' → ') })}</p>}
        </>
      )}
    </section>
  );
}

function SignerFacts({ signer }: { signer: Signer }) {
  const { t } = useTranslation();
  return (
    <dl className="facts">
      <dt>{t('documents.signer')}</dt>
      <dd>{signer.commonName ?? signer.subject}</dd>
      {signer.innle && (
        <>
          <dt>{t('documents.innle')}</dt>
          <dd>{signer.innle}</dd>
        </>
      )}
      {signer.inn && (
        <>
          <dt>{t('documents.inn')}</dt>
          <dd>{signer.inn}</dd>
        </>
      )}
      {signer.ogrn && (
        <>
          <dt>{t('documents.ogrn')}</dt>
          <dd>{signer.ogrn}</dd>
        </>
      )}
      {signer.snils && (
        <>
          <dt>{t('documents.snils')}</dt>
          <dd>{signer.snils}</dd>
        </>
      )}
      <dt>{t('documents.issuer')}</dt>
      <dd>{signer.issuer}</dd>
      <dt>{t('documents.certValidity')}</dt>
      <dd>
        {dateTimeOf(signer.notBefore)} — {dateTimeOf(signer.notAfter)}
      </dd>
    </dl>
  );
}

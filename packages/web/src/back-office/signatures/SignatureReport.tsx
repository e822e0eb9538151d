import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { download } from '../api/client.js';
import type { SignatureView } from '../api/views.js';

/** Who signed, how and when, and the cabinet's verification report check by check. */
export function SignatureReport({ signature: s }: { signature: SignatureView }) {
  const { t } = useTranslation();
  const cms = useMutation({ mutationFn: () => download(`/api/back-office/signatures/${s.id}/cms`, 'signature.p7s') });
  const r = s.report;
  return (
    <article className="signature" aria-label={t('signatures.of', { name: s.signedBy.name })}>
      <p>
        <strong>{s.signedBy.name}</strong> ({s.signedBy.login}) · <time dateTime={s.signedAt}>{dateTime(s.signedAt)}</time> · {t(`signatures.method.${s.method}`)} · {s.algorithm}
        {' · '}
        <span className={r.ok ? 'ok' : 'bad'}>{r.ok ? t('signatures.valid') : t('signatures.invalid', { code: r.code ?? '' })}</span>
      </p>
      {r.signer && (
        <dl className="facts">
          <dt>{t('signatures.certificate')}</dt>
          <dd>{r.signer.commonName ?? r.signer.subject}</dd>
          {(r.signer.innle ?? r.signer.inn) && (
            <>
              <dt>{t('applicant.inn')}</dt>
              <dd>{r.signer.innle ?? r.signer.inn}</dd>
            </>
          )}
          {r.signer.ogrn && (
            <>
              <dt>{t('applicant.ogrn')}</dt>
              <dd>{r.signer.ogrn}</dd>
            </>
          )}
          {r.signer.snils && (
            <>
              <dt>{t('applicant.snils')}</dt>
              <dd>{r.signer.snils}</dd>
            </>
          )}
          <dt>{t('signatures.validity')}</dt>
          <dd>
            {dateTime(r.signer.notBefore)} — {dateTime(r.signer.notAfter)}
          </dd>
          <dt>{t('signatures.issuer')}</dt>
          <dd>{r.signer.issuer}</dd>
        </dl>
      )}
      {r.chain.length > 0 && (
        <p className="hint">
          {t('signatures.chain')}: {r.chain.join(' → ')}
        </p>
      )}
      <ul className="checks" aria-label={t('signatures.checks')}>
        {r.checks.map((c) => (
          <li key={c.check} className={c.ok ? 'ok' : 'bad'}>
            <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span> {t(`signatures.check.${c.check}`, { defaultValue: c.check })}
            <span className="sr-only">: {c.ok ? t('signatures.passed') : t('signatures.failed')}</span> — <small>{c.detail}</small>
          </li>
        ))}
      </ul>
      <p className="hint">
        {t('signatures.verifiedAt', { at: dateTime(r.verifiedAt) })}
        {s.hasCms && (
          <>
            {' '}
            <button type="button" className="link" onClick={() => cms.mutate()}>
              {t('signatures.downloadCms')}
            </button>
          </>
        )}
      </p>
      <ErrorNote error={cms.error} />
    </article>
  );
}

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote, Field, Notice } from '../../shared/ui/Feedback.js';
import { api, callAs, type Body } from '../api/client.js';

type Issue = Body<'/api/back-office/applications/{id}/documents', 'post'>;

/** Issue the contract or an additional agreement as a PDF for the consumer to sign. */
export function IssueDocumentForm({ applicationId, contractSigned, onIssued }: { applicationId: string; contractSigned: boolean; onIssued: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<{ kind: Issue['kind']; title: string; terms: string; allowSimpleSignature: boolean }>({ kind: contractSigned ? 'agreement' : 'contract', title: '', terms: '', allowSimpleSignature: false });
  const issue = useMutation({
    mutationFn: () =>
      callAs<{ id: string; number: string }>(
        api.POST('/api/back-office/applications/{id}/documents', {
          params: { path: { id: applicationId } },
          body: { kind: form.kind, allowSimpleSignature: form.allowSimpleSignature, ...(form.title.trim() ? { title: form.title.trim() } : {}), ...(form.terms.trim() ? { terms: form.terms } : {}) },
        }),
      ),
    onSuccess: () => (setForm({ ...form, title: '', terms: '' }), onIssued()),
  });
  return (
    <form
      className="panel"
      aria-labelledby="issue-title"
      onSubmit={(e) => {
        e.preventDefault();
        issue.mutate();
      }}
    >
      <h2 id="issue-title">{t('documents.issue')}</h2>
      <div className="grid">
        <Field label={t('documents.kind')}>
          <select name="kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as Issue['kind'] })}>
            <option value="contract" disabled={contractSigned}>
              {t('documents.kinds.contract')}
            </option>
            <option value="agreement">{t('documents.kinds.agreement')}</option>
          </select>
        </Field>
        <Field label={t('documents.titleField')} hint={t('documents.titleHint')}>
          <input name="title" maxLength={300} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
        </Field>
      </div>
      <Field label={t('documents.terms')} hint={t('documents.termsHint')}>
        <textarea name="terms" rows={3} maxLength={20000} value={form.terms} onChange={(e) => setForm({ ...form, terms: e.target.value })} />
      </Field>
      <label className="check">
        <input type="checkbox" name="allowSimpleSignature" checked={form.allowSimpleSignature} onChange={(e) => setForm({ ...form, allowSimpleSignature: e.target.checked })} />
        {t('documents.allowSimple')}
      </label>
      <ErrorNote error={issue.error} />
      {issue.data && <Notice>{t('documents.issued', { number: issue.data.number })}</Notice>}
      <div className="row">
        <button type="submit" disabled={issue.isPending}>
          {t('documents.issueButton')}
        </button>
        {issue.isPending && <span role="status">{t('documents.issuing')}</span>}
      </div>
    </form>
  );
}

import '../requests/areas.css';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRouter } from '../../shared/router.js';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import { api, call, type Body } from '../api/client.js';
import { AttachmentPicker } from '../requests/Attachments.js';
import type { Attachment } from '../requests/files.js';

type Form = Body<'/api/applications', 'post'>;
type Kind = 'organisation' | 'person';

/**
 * An application for a supply contract: who applies (an organisation by INN and OGRN, a person by
 * SNILS or INN — the identifiers a signature is later checked against), the object's address, the
 * power asked for, a comment and documents. Saved as a draft, or saved and submitted at once.
 */
export function NewApplicationScreen() {
  const { t } = useTranslation();
  const { navigate } = useRouter();
  const client = useQueryClient();
  const [kind, setKind] = useState<Kind>('organisation');
  const [v, setV] = useState<Record<string, string>>({});
  const [files, setFiles] = useState<Attachment[]>([]);
  const set = (name: string) => (e: { target: { value: string } }) => setV((x) => ({ ...x, [name]: e.target.value }));
  const opt = (name: string) => (v[name]?.trim() ? { [name]: v[name]!.trim() } : {});

  const save = useMutation({
    mutationFn: async (submit: boolean) => {
      const body: Form = {
        applicant: { kind, name: (v.name ?? '').trim(), ...opt('inn'), ...(kind === 'organisation' ? opt('ogrn') : opt('snils')), ...opt('email'), ...opt('phone') },
        objectAddress: (v.objectAddress ?? '').trim(),
        requestedPowerKw: (v.power ?? '').trim().replace(',', '.'),
        ...opt('comment'),
        ...(files.length ? { attachmentIds: files.map((f) => f.id) } : {}),
      };
      const draft = await call(api.POST('/api/applications', { body }));
      return submit ? call(api.POST('/api/applications/{applicationId}/submit', { params: { path: { applicationId: draft.id } } })) : draft;
    },
    onSuccess: (a) => {
      void client.invalidateQueries({ queryKey: ['applications'] });
      navigate(`/applications/${a.id}`);
    },
  });

  return (
    <section>
      <h1>{t('applications.newTitle')}</h1>
      <form
        className="card form"
        aria-label={t('applications.newTitle')}
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(true);
        }}
      >
        <fieldset>
          <legend>{t('applications.applicantKind')}</legend>
          <label className="check">
            <input type="radio" name="kind" value="organisation" checked={kind === 'organisation'} onChange={() => setKind('organisation')} /> {t('applications.organisation')}
          </label>
          <label className="check">
            <input type="radio" name="kind" value="person" checked={kind === 'person'} onChange={() => setKind('person')} /> {t('applications.person')}
          </label>
        </fieldset>
        <div className="grid">
          <Field label={t(kind === 'organisation' ? 'applications.orgName' : 'applications.personName') + ' *'}>
            <input name="name" required maxLength={300} value={v.name ?? ''} onChange={set('name')} />
          </Field>
          <Field label={t('applications.inn') + (kind === 'organisation' ? ' *' : '')} hint={t(kind === 'organisation' ? 'applications.innOrgHint' : 'applications.innPersonHint')}>
            <input name="inn" inputMode="numeric" required={kind === 'organisation'} pattern={kind === 'organisation' ? '[0-9]{10}' : '[0-9]{12}'} value={v.inn ?? ''} onChange={set('inn')} />
          </Field>
          {kind === 'organisation' ? (
            <Field label={t('applications.ogrn') + ' *'} hint={t('applications.ogrnHint')}>
              <input name="ogrn" inputMode="numeric" required pattern="[0-9]{13}|[0-9]{15}" value={v.ogrn ?? ''} onChange={set('ogrn')} />
            </Field>
          ) : (
            <Field label={t('applications.snils')} hint={t('applications.snilsHint')}>
              <input name="snils" inputMode="numeric" pattern="[0-9]{11}" value={v.snils ?? ''} onChange={set('snils')} />
            </Field>
          )}
          <Field label={t('applications.email')}>
            <input name="email" type="email" maxLength={254} value={v.email ?? ''} onChange={set('email')} />
          </Field>
          <Field label={t('applications.phone')}>
            <input name="phone" type="tel" maxLength={32} value={v.phone ?? ''} onChange={set('phone')} />
          </Field>
        </div>
        <div className="grid">
          <Field label={t('applications.objectAddress') + ' *'}>
            <input name="objectAddress" required maxLength={500} value={v.objectAddress ?? ''} onChange={set('objectAddress')} />
          </Field>
          <Field label={t('applications.power') + ' *'} hint={t('applications.powerHint')}>
            <input name="power" required inputMode="decimal" pattern="[0-9]{1,7}([.,][0-9]{1,3})?" value={v.power ?? ''} onChange={set('power')} />
          </Field>
        </div>
        <Field label={t('applications.comment')}>
          <textarea name="comment" rows={3} maxLength={10000} value={v.comment ?? ''} onChange={set('comment')} />
        </Field>
        <AttachmentPicker files={files} onChange={setFiles} label={t('applications.documents')} />
        <ErrorNote error={save.error} />
        <div className="row">
          <button type="submit" disabled={save.isPending}>
            {t('applications.submit')}
          </button>
          <button type="button" disabled={save.isPending} onClick={(e) => e.currentTarget.form?.reportValidity() && save.mutate(false)}>
            {t('applications.saveDraft')}
          </button>
        </div>
      </form>
    </section>
  );
}

import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../../shared/ui/Feedback.js';
import { download } from '../api/client.js';
import type { FileView } from '../api/views.js';
import { sizeText } from './files.js';

/** Files of an application, a request or a message, each downloadable. */
export function Attachments({ files }: { files: FileView[] }) {
  const { t, i18n } = useTranslation();
  const get = useMutation({ mutationFn: (f: FileView) => download(`/api/back-office/attachments/${f.id}`, f.fileName) });
  if (!files.length) return null;
  return (
    <>
      <ul className="files" aria-label={t('files.title')}>
        {files.map((f) => (
          <li key={f.id}>
            <button type="button" className="link" onClick={() => get.mutate(f)} aria-label={t('files.download', { name: f.fileName })}>
              {f.fileName}
            </button>{' '}
            <small>
              {sizeText(f.sizeBytes, i18n.language)}, {t(`files.from.${f.direction}`)}
            </small>
          </li>
        ))}
      </ul>
      <ErrorNote error={get.error} />
    </>
  );
}

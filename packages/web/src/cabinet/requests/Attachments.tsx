import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote, Progress } from '../../shared/ui/Feedback.js';
import { acceptAttribute, fileLimits, fileProblem, size, uploadAttachment, type Attachment } from './files.js';

/**
 * Files to send with a form or a message: the limits are said before anything is chosen, a file
 * that breaks them is refused at once (name, reason), each accepted file is uploaded with a progress
 * bar and listed with a button to take it off again. The parent sends the ids.
 */
export function AttachmentPicker({ files, onChange, label }: { files: Attachment[]; onChange: (files: Attachment[]) => void; label?: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [uploading, setUploading] = useState<{ name: string; percent: number } | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const add = async (list: FileList | null) => {
    setRefused(null);
    setError(null);
    let current = files;
    for (const file of Array.from(list ?? [])) {
      const problem = fileProblem(file, current);
      if (problem) {
        setRefused(t(problem, { name: file.name }));
        continue;
      }
      setUploading({ name: file.name, percent: 0 });
      try {
        const uploaded = await uploadAttachment(file, (percent) => setUploading({ name: file.name, percent }));
        current = [...current, uploaded];
        onChange(current);
      } catch (e) {
        setError(e);
      } finally {
        setUploading(null);
      }
    }
  };

  return (
    <fieldset className="attachments">
      <legend>{label ?? t('files.title')}</legend>
      <p className="hint" id={`${id}-limits`}>
        {t('files.limits', { perFile: size(fileLimits.maxFileBytes), count: fileLimits.maxFiles, perMessage: size(fileLimits.maxMessageBytes) })}
      </p>
      <label className="field">
        <span>{t('files.choose')}</span>
        <input
          type="file"
          multiple
          accept={acceptAttribute}
          aria-describedby={`${id}-limits`}
          disabled={uploading !== null || files.length >= fileLimits.maxFiles}
          onChange={(e) => {
            const input = e.currentTarget;
            void add(input.files).then(() => (input.value = ''));
          }}
        />
      </label>
      {uploading && <Progress value={uploading.percent} label={t('files.uploading', { name: uploading.name })} />}
      {refused && (
        <p role="alert" className="field-error">
          {refused}
        </p>
      )}
      <ErrorNote error={error} />
      {files.length > 0 && (
        <ul className="plain" aria-label={t('files.attached')}>
          {files.map((f) => (
            <li key={f.id} className="row">
              <span>
                {f.fileName} <span className="hint">({size(f.sizeBytes)})</span>
              </span>
              <button type="button" className="link" onClick={() => onChange(files.filter((x) => x.id !== f.id))} aria-label={t('files.remove', { name: f.fileName })}>
                {t('files.removeShort')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

/** Files of a thread or a form, each a download link. */
export function FileList({ files }: { files: Attachment[] }) {
  const { t } = useTranslation();
  if (!files.length) return null;
  return (
    <ul className="plain files" aria-label={t('files.list')}>
      {files.map((f) => (
        <li key={f.id}>
          <a href={`/api/attachments/${f.id}`} download={f.fileName}>
            {f.fileName}
          </a>{' '}
          <span className="hint">({size(f.sizeBytes)})</span>
        </li>
      ))}
    </ul>
  );
}

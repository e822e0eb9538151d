import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote, Field } from '../../shared/ui/Feedback.js';
import type { Ok } from '../api/client.js';
import { dateTimeOf } from './format.js';
import { AttachmentPicker, FileList } from './Attachments.js';
import type { Attachment } from './files.js';

export type Message = Ok<'/api/requests/{requestId}', 'get'>['messages'][number];

/**
 * The correspondence of a request or an application: the consumer's and the supplier's messages in
 * order, each with its files, and (when the thread is open) a reply with files.
 */
export function Thread({ messages, onSend, canWrite, sending, error }: { messages: Message[]; onSend?: (text: string, attachmentIds: string[]) => Promise<unknown>; canWrite: boolean; sending?: boolean; error?: unknown }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Attachment[]>([]);
  return (
    <section aria-labelledby="thread-title" className="thread">
      <h2 id="thread-title">{t('thread.title')}</h2>
      {messages.length === 0 && <p className="hint">{t('thread.empty')}</p>}
      <ol className="plain messages">
        {messages.map((m) => (
          <li key={m.id} className={`message message-${m.author}`} data-testid={`message-${m.author}`}>
            <p className="hint">
              <strong>{m.author === 'supplier' ? (m.authorName ?? t('thread.supplier')) : t('thread.you')}</strong> · <time dateTime={m.at}>{dateTimeOf(m.at)}</time>
            </p>
            <p className="message-text">{m.text}</p>
            <FileList files={m.attachments} />
          </li>
        ))}
      </ol>
      {canWrite && onSend && (
        <form
          className="card"
          aria-label={t('thread.reply')}
          onSubmit={(e) => {
            e.preventDefault();
            if (!text.trim()) return;
            void onSend(text.trim(), files.map((f) => f.id)).then(() => {
              setText('');
              setFiles([]);
            });
          }}
        >
          <Field label={t('thread.message')}>
            <textarea name="message" rows={4} required maxLength={10000} value={text} onChange={(e) => setText(e.target.value)} />
          </Field>
          <AttachmentPicker files={files} onChange={setFiles} />
          <ErrorNote error={error} />
          <button type="submit" disabled={sending || !text.trim()}>
            {t('thread.send')}
          </button>
        </form>
      )}
    </section>
  );
}

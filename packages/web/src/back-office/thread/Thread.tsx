import { useTranslation } from 'react-i18next';
import { dateTime } from '../../shared/format.js';
import type { MessageView } from '../api/views.js';
import { Attachments } from './Attachments.js';

/** The correspondence with the consumer, oldest first. */
export function Thread({ messages }: { messages: MessageView[] }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="thread-title">
      <h2 id="thread-title">{t('thread.title')}</h2>
      {messages.length === 0 && <p className="hint">{t('thread.empty')}</p>}
      <ol className="thread">
        {messages.map((m) => (
          <li key={m.id} className={`message from-${m.author}`}>
            <p className="meta">
              <strong>{m.author === 'supplier' ? t('thread.supplier', { name: m.authorName }) : t('thread.consumer', { name: m.authorName })}</strong> · <time dateTime={m.at}>{dateTime(m.at)}</time>
            </p>
            <p className="text">{m.text}</p>
            <Attachments files={m.attachments} />
          </li>
        ))}
      </ol>
    </section>
  );
}

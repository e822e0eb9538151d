import { useMutation } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote, Field, Notice } from '../../shared/ui/Feedback.js';
import { ACCEPT, attachmentsOf } from './files.js';

export interface OutgoingMessage {
  text: string;
  attachments: Array<{ fileName: string; contentBase64: string }>;
}

/**
 * A message to the consumer with files, sent by one of several actions (write, ask for information,
 * answer): each action is a submit button of the same form.
 */
export function MessageForm({ title, actions, onSent }: { title: string; actions: Array<{ label: string; send: (m: OutgoingMessage) => Promise<unknown> }>; onSent: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState('');
  const files = useRef<HTMLInputElement>(null);
  const [sent, setSent] = useState(false);
  const send = useMutation({
    mutationFn: async (action: number) => actions[action]!.send({ text, attachments: await attachmentsOf(files.current?.files) }),
    onSuccess: () => {
      setText('');
      if (files.current) files.current.value = '';
      setSent(true);
      onSent();
    },
  });
  return (
    <form className="panel message-form" aria-labelledby={`${id}-title`} onSubmit={(e) => e.preventDefault()}>
      <h2 id={`${id}-title`}>{title}</h2>
      <Field label={t('thread.text')}>
        <textarea name="text" rows={4} required value={text} onChange={(e) => (setText(e.target.value), setSent(false))} />
      </Field>
      <Field label={t('thread.files')} hint={t('thread.filesHint')}>
        <input ref={files} name="files" type="file" multiple accept={ACCEPT} />
      </Field>
      <ErrorNote error={send.error} />
      {sent && <Notice>{t('thread.sent')}</Notice>}
      <div className="row">
        {actions.map((a, i) => (
          <button key={a.label} type="submit" disabled={send.isPending || !text.trim()} onClick={() => send.mutate(i)}>
            {a.label}
          </button>
        ))}
      </div>
      {send.isPending && <p role="status">{t('common.sending')}</p>}
    </form>
  );
}

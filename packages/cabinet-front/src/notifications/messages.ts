/**
 * Texts of the e-mails (ru), rendered when they are sent from the rows as they are then. Pure.
 * Subjects name the thread by its short number only: no personal data in the subject line.
 */
const applicationStatus: Record<string, string> = {
  submitted: 'заявка подана',
  in_review: 'заявка на рассмотрении',
  needs_info: 'нужны дополнительные сведения',
  contract_issued: 'договор направлен на подпись',
  signed: 'договор подписан',
  rejected: 'заявка отклонена',
  withdrawn: 'заявка отозвана',
};
const requestStatus: Record<string, string> = {
  new: 'обращение зарегистрировано',
  in_progress: 'обращение в работе',
  needs_info: 'нужны дополнительные сведения',
  answered: 'получен ответ',
  closed: 'обращение закрыто',
};

export const shortNumber = (id: string) => id.slice(0, 8).toUpperCase();

export function renderNotification(n: { subjectKind: 'application' | 'request'; subjectId: string; event: string; title?: string }) {
  const [event, status = ''] = n.event.split(':') as [string, string?];
  const what = n.subjectKind === 'application' ? `Заявка на договор № ${shortNumber(n.subjectId)}` : `Обращение № ${shortNumber(n.subjectId)}`;
  const statuses = n.subjectKind === 'application' ? applicationStatus : requestStatus;
  const change =
    event === 'message' ? 'Новое сообщение от поставщика.'
    : event === 'document' ? `Документ на подпись: ${n.title ?? 'договор'}.`
    : `Статус: ${statuses[status] ?? status}.`;
  return {
    subject: `${what}: ${event === 'message' ? 'новое сообщение' : event === 'document' ? 'документ на подпись' : (statuses[status] ?? status)}`,
    text: `${what}\n\n${change}\n\nПодробности — в личном кабинете.\n`,
  };
}

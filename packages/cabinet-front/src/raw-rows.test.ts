import { createHash, randomUUID } from 'node:crypto';
import { waitFor } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSnapshot, startFront, type Front } from './testing/fixture.js';

/**
 * Reads every row of every table of the front's database, as an attacker with a copy of it would, and
 * looks for each piece of personal data the test put in through the API and the events.
 */
describe('the front database holds no personal data in clear', () => {
  let front: Front;
  const snapshot = sampleSnapshot('pii');
  const needles: string[] = [];

  beforeAll(async () => {
    // Published commands are pruned at once here (60 s in service): a link request carries the applicant's name.
    front = await startFront({ workers: { outboxRetentionMs: 0, pruneIntervalMs: 50 } });
    const olga = await front.register({ email: 'Olga.Secret@Mail.test' }, 'Olga-Strong-2026', 'Ольга Секретова');
    const ivan = await front.register({ phone: '8 (916) 765-43-21' }, 'Ivan-Strong-2026', 'Иван Тайнов');
    await front.link(olga, olga.userId, snapshot);
    const req = await ivan.call('POST', '/api/links/by-request', { contractNumber: 'PII-0002', applicantName: 'Иван Тайнов-Заявитель', taxId: '500100732259', comment: 'паспорт 4509 123456' });
    expect(req.statusCode).toBe(202);
    const reading = await olga.call('POST', '/api/readings', { readings: [{ meterId: 'pii-m1', zone: 'T1', date: '2026-03-19', value: '1100' }] });
    expect(reading.statusCode).toBe(202);
    const contract = structuredClone(snapshot.contracts[0]!);
    contract.objects[0]!.address = 'г. Тестоград, ул. Изменённая, д. 99';
    const ids = [randomUUID(), randomUUID()];
    await front.publish('cabinet.evt.contract.changed', { consumerRef: snapshot.consumerRef, version: '200', profile: { ...snapshot.profile, name: 'ООО Новое-Имя-Тайное' }, contract }, ids[0]);
    await front.publish('cabinet.evt.invoice.issued', { consumerRef: snapshot.consumerRef, version: '200', invoice: { ...snapshot.invoices[0]!, id: 'pii-i2', pdfBase64: Buffer.from('%PDF счёт Ольга Секретова').toString('base64') } }, ids[1]);
    await front.applied(ids);
    await applicationsRequestsAndSignatures(olga);
    await waitFor(async () => (await front.db.selectFrom('outbox').select('id').execute()).length === 0, { what: 'outbox relayed and pruned' });

    const p = snapshot.profile;
    needles.push(
      'olga.secret@mail.test', 'Olga.Secret', 'Ольга Секретова', '+79167654321', '9167654321', '765-43-21', 'Иван Тайнов',
      'Иван Тайнов-Заявитель', '500100732259', 'паспорт 4509',
      p.name, p.inn!, p.ogrn!, p.snils!, p.email!, p.phone!, p.address!, 'ООО Новое-Имя-Тайное',
      snapshot.contracts[0]!.objects[0]!.address, 'ул. Изменённая', 'Секретная-pii',
      snapshot.invoices[0]!.pdfBase64!.slice(0, 24), Buffer.from('%PDF счёт Ольга Секретова').toString('base64').slice(0, 24),
    );
  });
  afterAll(() => front.close());

  /** An application, files both ways, a document signed by one-time code, a request with a thread: all personal data. */
  async function applicationsRequestsAndSignatures(olga: Awaited<ReturnType<Front['register']>>) {
    const secretFile = Buffer.from('%PDF-1.4 тайное содержимое файла: паспорт 4510 654321');
    const file = await olga.call('POST', '/api/attachments', { fileName: 'паспорт-Ольги.pdf', contentBase64: secretFile.toString('base64') });
    expect(file.statusCode, file.body).toBe(201);
    const applicant = { kind: 'organisation', name: 'ООО Секретный-Заявитель', inn: '7712345678', ogrn: '1027712345678', email: 'zayavitel@secret.test', phone: '+79035554433' };
    const app = await olga.call('POST', '/api/applications', { applicant, objectAddress: 'г. Тестоград, ул. Заявочная, 13', requestedPowerKw: '42', comment: 'комментарий с тайной', attachmentIds: [file.json().id] });
    expect(app.statusCode, app.body).toBe(201);
    const applicationId = app.json().id as string;
    expect((await olga.call('POST', `/api/applications/${applicationId}/submit`)).statusCode).toBe(200);
    const pdf = Buffer.from('%PDF-1.4 договор с ООО Секретный-Заявитель');
    const documentId = randomUUID();
    const reply = Buffer.from('%PDF-1.4 ответ поставщика с тайной');
    const events = [randomUUID(), randomUUID(), randomUUID()];
    await front.publish('cabinet.evt.application.message-posted', { applicationId, userRef: olga.userId, authorName: 'Сотрудник', messageId: randomUUID(), text: 'Уточните паспорт 4510 654321', at: new Date().toISOString(), attachments: [{ attachmentId: randomUUID(), fileName: 'ответ-Ольге.pdf', mediaType: 'application/pdf', sizeBytes: reply.length, sha256: createHash('sha256').update(reply).digest('hex'), contentBase64: reply.toString('base64') }] }, events[0]);
    await front.publish('cabinet.evt.application.status-changed', { applicationId, userRef: olga.userId, status: 'contract_issued', seq: 3, at: new Date().toISOString() }, events[1]);
    await front.publish('cabinet.evt.document.issued', { documentId, applicationId, userRef: olga.userId, kind: 'contract', title: 'Договор', fileName: 'd.pdf', pdfBase64: pdf.toString('base64'), sha256: createHash('sha256').update(pdf).digest('hex'), allowSimpleSignature: true, issuedAt: new Date().toISOString() }, events[2]);
    await front.applied(events);
    const challenge = await olga.call('POST', `/api/documents/${documentId}/simple-signature`);
    expect(challenge.statusCode, challenge.body).toBe(202);
    const signed = await olga.call('POST', `/api/documents/${documentId}/simple-signature/${challenge.json().challengeId}/confirm`, { code: front.otp.lastCodeFor('olga.secret@mail.test') });
    expect(signed.statusCode, signed.body).toBe(201);
    const request = await olga.call('POST', '/api/requests', { kind: 'free_form', subject: 'Тайная тема обращения', text: 'мой СНИЛС 112-233-445 95', fields: {} });
    expect(request.statusCode, request.body).toBe(201);
    expect((await olga.call('POST', `/api/requests/${request.json().id}/messages`, { text: 'дополнение с тайной' })).statusCode).toBe(201);
    needles.push(
      applicant.name, applicant.inn, applicant.ogrn, applicant.email, applicant.phone, 'ул. Заявочная', 'комментарий с тайной',
      'паспорт-Ольги', 'тайное содержимое', secretFile.toString('base64').slice(0, 24), 'ответ-Ольге', reply.toString('base64').slice(0, 24), 'Уточните паспорт',
      pdf.toString('base64').slice(0, 24), 'Тайная тема обращения', 'мой СНИЛС', 'дополнение с тайной',
    );
  }

  it('finds none of the names, e-mails, phones, INN/OGRN/SNILS, addresses or PDFs in any column of any table', async () => {
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(front.db);
    expect(tables.rows.map((t) => t.table_name)).toEqual(expect.arrayContaining(['users', 'consumer_users', 'consumers', 'supply_objects', 'link_requests', 'invoices', 'outbox', 'inbox', 'audit_log', 'sessions', 'otp_challenges']));
    const found: string[] = [];
    let cells = 0;
    for (const { table_name } of tables.rows) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table_name)}`.execute(front.db);
      for (const row of rows.rows) {
        for (const [column, value] of Object.entries(row)) {
          if (value === null) continue;
          cells++;
          const text = typeof value === 'string' ? value : JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
          for (const needle of needles) if (text.toLowerCase().includes(needle.toLowerCase())) found.push(`${table_name}.${column} holds "${needle}"`);
        }
      }
    }
    expect(cells).toBeGreaterThan(200);
    expect([...new Set(found)]).toEqual([]);
  });

  it('still shows every value decrypted to the people entitled to it', async () => {
    const olga = await front.login('olga.secret@mail.test', 'Olga-Strong-2026');
    expect((await olga.call('GET', '/api/me')).json()).toMatchObject({ email: 'olga.secret@mail.test', displayName: 'Ольга Секретова' });
    expect((await olga.call('GET', `/api/consumers/${snapshot.consumerRef}`)).json()).toMatchObject({ name: 'ООО Новое-Имя-Тайное', inn: snapshot.profile.inn, snils: snapshot.profile.snils });
    expect((await olga.call('GET', '/api/supply-objects/pii-o1')).json().address).toBe('г. Тестоград, ул. Изменённая, д. 99');
  });
});

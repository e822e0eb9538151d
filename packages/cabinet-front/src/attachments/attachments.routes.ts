import type { HttpApp } from '@app/kernel';
import type { Attachments } from './attachments.service.js';
import * as S from './attachments.schema.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['attachments'];

/** Upload a file to send with an application, a request or a message; download any file of a thread you can see. */
export function registerAttachmentRoutes(app: HttpApp, deps: { attachments: Attachments }) {
  const { attachments } = deps;
  app.post(
    '/api/attachments',
    { config: consumer, bodyLimit: S.UPLOAD_BODY_LIMIT, schema: { tags, summary: 'Upload a file (PDF, PNG, JPEG, .docx, .xlsx; ≤ 4 MiB), to send by its id', body: S.UploadBody, response: { 201: S.AttachmentView } } },
    async (request, reply) => reply.status(201).send(await attachments.upload(request.user!.id, request.body)),
  );
  app.get('/api/attachments/:attachmentId', { config: consumer, schema: { tags, summary: 'Download a file', params: S.AttachmentParams } }, async (request, reply) => {
    const file = await attachments.download(request.user!.id, request.params.attachmentId);
    return reply
      .type(file.mediaType)
      .header('content-disposition', `attachment; filename="file"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
      .send(file.content);
  });
}

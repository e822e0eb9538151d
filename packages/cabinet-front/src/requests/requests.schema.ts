import { Type } from 'typebox';
import { AttachmentIds, AttachmentView } from '../attachments/attachments.schema.js';
import { MessageView } from '../applications/applications.schema.js';

export const RequestKind = Type.Union([Type.Literal('link_contract'), Type.Literal('correct_details'), Type.Literal('terminate_contract'), Type.Literal('meter_replacement'), Type.Literal('free_form'), Type.Literal('support')]);
export const RequestStatus = Type.Union([Type.Literal('new'), Type.Literal('in_progress'), Type.Literal('needs_info'), Type.Literal('answered'), Type.Literal('closed')]);

export const RequestForm = Type.Object(
  {
    kind: RequestKind,
    subject: Type.String({ minLength: 1, maxLength: 300 }),
    text: Type.String({ maxLength: 10_000, default: '' }),
    /**
     * The kind's typed form (cabinet-contracts requests.ts): link_contract {contractNumber, applicantName, taxId?};
     * correct_details {contractId, meteringPointId?, detail, currentValue?, correctValue}; terminate_contract
     * {contractId, terminateOn, reason}; meter_replacement {meteringPointId, replacedOn, oldMeter {meterId,
     * finalReadings[]}, newMeter {serial, model, digits, initialReadings[] …}}; free_form and support {}.
     */
    fields: Type.Object({}, { additionalProperties: true, default: {} }),
    attachmentIds: Type.Optional(AttachmentIds),
  },
  { additionalProperties: false },
);
export const RequestMessageBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }), attachmentIds: Type.Optional(AttachmentIds) }, { additionalProperties: false });
export const RequestParams = Type.Object({ requestId: Type.String({ format: 'uuid' }) });
export const ListQuery = Type.Object({ status: Type.Optional(RequestStatus), kind: Type.Optional(RequestKind) });

export const RequestView = Type.Object({
  id: Type.String(),
  kind: RequestKind,
  status: RequestStatus,
  subject: Type.String(),
  text: Type.String(),
  fields: Type.Object({}, { additionalProperties: true }),
  consumerRef: Type.Optional(Type.String()),
  linkRequestId: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const RequestDetails = Type.Object({ ...RequestView.properties, attachments: Type.Array(AttachmentView), messages: Type.Array(MessageView) });

import i18n from 'i18next';
import { toApiError } from '../../shared/api/client.js';
import { csrfToken, type Ok } from '../api/client.js';

/**
 * Files sent with requests, applications and messages: the server's limits (cabinet-contracts
 * attachmentLimits: 4 MiB a file, 5 files and 8 MiB a message; the type is read from the bytes),
 * shown before the upload and checked in the browser first, so a wrong file is refused at once.
 */
export const fileLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxFiles: 5,
  maxMessageBytes: 8 * 1024 * 1024,
  extensions: ['.pdf', '.png', '.jpg', '.jpeg', '.docx', '.xlsx'],
} as const;

export const acceptAttribute = fileLimits.extensions.join(',');

export type Attachment = Ok<'/api/applications/{applicationId}', 'get'>['attachments'][number];

/** Why a file is refused before it is sent, as a catalogue key; null when it may go. */
export function fileProblem(file: File, already: { sizeBytes: number }[]): string | null {
  const name = file.name.toLowerCase();
  if (!fileLimits.extensions.some((e) => name.endsWith(e))) return 'files.badType';
  if (file.size === 0) return 'files.empty';
  if (file.size > fileLimits.maxFileBytes) return 'files.tooLarge';
  if (already.length >= fileLimits.maxFiles) return 'files.tooMany';
  if (already.reduce((s, a) => s + a.sizeBytes, 0) + file.size > fileLimits.maxMessageBytes) return 'files.messageTooLarge';
  return null;
}

export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read'));
    reader.readAsDataURL(file);
  });
}

/**
 * POST /api/attachments through XMLHttpRequest, not fetch: only it reports upload progress
 * (0–100), which a 4 MB file on a phone connection needs.
 */
export async function uploadAttachment(file: File, onProgress: (percent: number) => void): Promise<Attachment> {
  const contentBase64 = await readBase64(file);
  const body = JSON.stringify({ fileName: file.name, contentBase64 });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/attachments');
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.setRequestHeader('accept', 'application/json');
    const token = csrfToken();
    if (token) xhr.setRequestHeader('x-csrf-token', token);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      const answer = parse(xhr.responseText);
      if (xhr.status < 300) resolve(answer as Attachment);
      else reject(toApiError(xhr.status, answer));
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.send(body);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** A file's size as the consumer reads it: 30 Б, 12 КБ, 4 МБ (B, KB, MB in English). */
export function size(bytes: number): string {
  const ru = i18n.language !== 'en';
  const number = (n: number) => new Intl.NumberFormat(ru ? 'ru-RU' : 'en-GB', { maximumFractionDigits: 1 }).format(n);
  if (bytes < 1024) return `${bytes} ${ru ? 'Б' : 'B'}`;
  if (bytes < 1024 * 1024) return `${number(Math.round(bytes / 1024))} ${ru ? 'КБ' : 'KB'}`;
  return `${number(bytes / 1024 / 1024)} ${ru ? 'МБ' : 'MB'}`;
}

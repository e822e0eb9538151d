/** Files an employee attaches travel as base64 in JSON (the server sniffs their type and checks sizes). */
export async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export async function attachmentsOf(files: FileList | null | undefined) {
  return Promise.all([...(files ?? [])].map(async (f) => ({ fileName: f.name, contentBase64: await toBase64(f) })));
}

export function sizeText(bytes: number, lang: string) {
  const kb = bytes / 1024;
  const fmt = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'ru-RU', { maximumFractionDigits: 1 });
  return kb < 1024 ? `${fmt.format(kb)} KB` : `${fmt.format(kb / 1024)} MB`;
}

/** What the cabinet accepts (attachmentLimits in cabinet-contracts): PDF, PNG, JPEG, .docx, .xlsx. */
export const ACCEPT = '.pdf,.png,.jpg,.jpeg,.docx,.xlsx,application/pdf,image/png,image/jpeg';

import { describe, expect, it } from 'vitest';
import { sniffMediaType } from './media-type.js';

describe('sniffMediaType', () => {
  it.each([
    ['a PDF', Buffer.from('%PDF-1.7\n…'), 'application/pdf'],
    ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'image/png'],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0]), 'image/jpeg'],
    ['a Word document', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....[Content_Types].xml....word/document.xml')]), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['an Excel workbook', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....xl/workbook.xml')]), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['another ZIP', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....notes.txt')]), 'application/zip'],
  ])('recognises %s by its bytes', (_name, bytes, type) => {
    expect(sniffMediaType(bytes)).toBe(type);
  });

  it('knows nothing of an executable or text, whatever the name would say', () => {
    expect(sniffMediaType(Buffer.from('MZ\x90\x00'))).toBeUndefined();
    expect(sniffMediaType(Buffer.from('just text that claims to be a.pdf'))).toBeUndefined();
    expect(sniffMediaType(new Uint8Array())).toBeUndefined();
  });
});

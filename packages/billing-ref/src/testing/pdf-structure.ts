/**
 * A structural check of a PDF, enough to tell a real document from bytes that merely start with
 * "%PDF": header, the cross-reference table the trailer points at, and the page objects it lists.
 */
export function pdfStructure(bytes: Uint8Array): { version: string; pages: number; objects: number } {
  const text = Buffer.from(bytes).toString('latin1');
  const header = /^%PDF-(\d\.\d)/.exec(text);
  if (!header) throw new Error('no %PDF header');
  if (!/%%EOF\s*$/.test(text)) throw new Error('no %%EOF at the end');
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text);
  if (!startxref) throw new Error('no startxref');
  const offset = Number(startxref[1]);
  if (text.slice(offset, offset + 4) !== 'xref') throw new Error(`startxref ${offset} does not point at the xref table`);
  const section = /^xref\s+0\s+(\d+)/.exec(text.slice(offset));
  if (!section) throw new Error('unreadable xref section');
  const objects = Number(section[1]);
  // Every object the table lists must start at its offset.
  const entries = text.slice(offset).split(/\r?\n/).slice(2, 2 + objects);
  entries.forEach((entry, i) => {
    const [at, , kind] = entry.trim().split(/\s+/);
    if (kind === 'n' && i > 0 && !text.slice(Number(at)).startsWith(`${i} 0 obj`)) throw new Error(`object ${i} not at ${at}`);
  });
  const pages = (text.match(/\/Type \/Page\b(?!s)/g) ?? []).length;
  if (pages === 0) throw new Error('no pages');
  return { version: header[1]!, pages, objects };
}

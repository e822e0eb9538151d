import yauzl from 'yauzl';
import yazl from 'yazl';

/**
 * The same zip with its parts in another order (the order `sort` gives the part names). Readers that
 * stream a zip meet the parts in file order, and writers do not promise one: ExcelJS's own writer appends
 * parts as they are ready, so a workbook's worksheets may come before xl/workbook.xml.
 */
export async function reorderZip(zip: Buffer, sort: (names: string[]) => string[]): Promise<Buffer> {
  const parts = new Map<string, Buffer>();
  const source = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(zip, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))));
  await new Promise<void>((resolve, reject) => {
    source.on('error', reject);
    source.on('end', resolve);
    source.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) return source.readEntry();
      source.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          parts.set(entry.fileName, Buffer.concat(chunks));
          source.readEntry();
        });
      });
    });
    source.readEntry();
  });
  const order = sort([...parts.keys()]);
  if (order.length !== parts.size || order.some((n) => !parts.has(n))) throw new Error('reorderZip: the order must name every part once');
  const out = new yazl.ZipFile();
  for (const name of order) out.addBuffer(parts.get(name)!, name);
  out.end();
  const chunks: Buffer[] = [];
  for await (const chunk of out.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { AppError } from '../errors/app-error.js';

/**
 * Uploaded files are never held in memory and never trusted: spooled to a temporary file with a size cap
 * (hashed on the way), and a workbook's zip is checked before ExcelJS reads it — its directory read and
 * every part inflated once into nothing while counting bytes, because declared sizes can lie (yauzl also
 * refuses a part that inflates beyond its header). A zip bomb, a truncated or foreign file is an error with
 * a stable code, never an exhausted process. Each API names the codes its clients already know (`fail`).
 */
export const uploadProblems = ['file_too_large', 'empty_file', 'not_excel', 'truncated_file', 'zip_bomb'] as const;
export type UploadProblem = (typeof uploadProblems)[number];

export interface XlsxLimits {
  /** Largest upload accepted. */
  maxFileBytes: number;
  /** Largest total of a workbook's parts once decompressed (declared and actually read). */
  maxUnzippedBytes: number;
  /** A part larger than this decompressed may not be compressed more than `maxRatio` times. */
  ratioFloorBytes: number;
  maxRatio: number;
}

export type UploadFailure = (problem: UploadProblem, message: string, status: number) => Error;

/** The default: 413/422 problem naming the field `file`. */
export const uploadFailure: UploadFailure = (code, message, status) => new AppError(code, status, message, { errors: [{ field: 'file', code, message }] });

/** Writes the upload to `path`; its size and SHA-256. Over the limit or empty: an error, nothing kept. */
export async function spoolUpload(input: Readable, path: string, maxBytes: number, fail: UploadFailure = uploadFailure): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tooLarge = () => fail('file_too_large', `The file is larger than ${mib(maxBytes)} MiB`, 413);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(tooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(input, meter, createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    // A multipart stream cut at its own size limit says so in its own way; the answer is the same.
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw error;
  }
  if (bytes === 0) {
    await rm(path, { force: true });
    throw fail('empty_file', 'The file is empty', 422);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** A sheet as xl/workbook.xml lists it (the shape ExcelJS's reader keeps as its model's sheets). */
export interface WorkbookSheet {
  id: number;
  name: string;
  rId: string;
  state?: string;
}

/**
 * Checks the workbook at `path` and rewrites it in place with its parts in the order a streaming reader
 * needs; answers how many `<row>`s its worksheets hold (a progress bar's total) and the sheets
 * xl/workbook.xml lists. ExcelJS's streaming reader takes the zip's parts as they come: worksheets ahead of
 * xl/workbook.xml lose their names ("reading 'sheets'" at worst), and worksheets ahead of the workbook's
 * relations or shared strings are put aside — after which it has been seen to miss the remaining parts, so
 * every text cell read empty. Writers promise no order (ExcelJS's own appends parts as they are ready), so
 * the copy puts the directory parts first and the worksheets last, by number. Parts are inflated once,
 * counted against the limits on the way, and deflated again at a fast level.
 */
export async function prepareXlsx(path: string, limits: XlsxLimits, fail: UploadFailure = uploadFailure): Promise<{ rows: number; sheets: WorkbookSheet[] }> {
  const refuse = (problem: UploadProblem, message: string) => fail(problem, message, 422);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, file) => (err ? reject(err) : resolve(file))),
  ).catch(async (error: Error) => {
    throw (await startsLikeZip(path)) ? refuse('truncated_file', `The workbook is incomplete (cut off during transfer?): ${error.message}`) : refuse('not_excel', 'The file is not an Excel workbook (.xlsx)');
  });
  const ours = new WeakSet<Error>();
  const mark = (error: Error) => (ours.add(error), error);
  const tooBig = () => mark(refuse('zip_bomb', `The workbook unpacks to more than ${mib(limits.maxUnzippedBytes)} MiB`));
  let rows = 0;
  const ordered = `${path}.ordered`;
  try {
    const entries: yauzl.Entry[] = [];
    let declared = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        declared += entry.uncompressedSize;
        if (entries.length >= 10_000) return reject(mark(refuse('zip_bomb', 'The workbook has too many parts')));
        if (declared > limits.maxUnzippedBytes) return reject(tooBig());
        if (entry.uncompressedSize > limits.ratioFloorBytes && entry.uncompressedSize > entry.compressedSize * limits.maxRatio) {
          return reject(mark(refuse('zip_bomb', `A part of the workbook is compressed more than ${limits.maxRatio} times`)));
        }
        entries.push(entry);
        zip.readEntry();
      });
      zip.readEntry();
    }).catch((error: Error) => {
      throw ours.has(error) ? error : refuse('not_excel', `The workbook is damaged: ${error.message}`);
    });
    const names = new Set(entries.map((e) => e.fileName));
    if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) throw refuse('not_excel', 'The file is a zip but not an Excel workbook (.xlsx)');
    const damaged = (error: Error) =>
      ours.has(error)
        ? error
        : // yauzl: "too many bytes in the stream" — a part inflating beyond what its header declares.
          /too many bytes|expected \d+ bytes/i.test(error.message)
          ? refuse('zip_bomb', 'A part of the workbook unpacks to more than its header declares')
          : refuse('not_excel', `The workbook is damaged: ${error.message}`);
    // The worksheets go in the workbook's own sheet order (xl/workbook.xml through its relations), so a
    // reader taking "the first sheet" gets the one a person sees first.
    const small = async (name: string) => {
      const entry = entries.find((e) => e.fileName === name);
      if (!entry) return '';
      const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, st) => (err ? reject(err) : resolve(st))));
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of stream) {
        size += (chunk as Buffer).length;
        if (size > 1024 * 1024) throw mark(refuse('not_excel', `${name} is larger than 1 MiB`));
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString('utf8');
    };
    const sheets = sheetsOf(await small('xl/workbook.xml').catch((error: Error) => Promise.reject(damaged(error))));
    const targets = relationTargets(await small('xl/_rels/workbook.xml.rels').catch(() => ''));
    const sheetOrder = new Map(sheets.map((sheet, i) => [targets.get(sheet.rId) ?? '', i]));
    // Each part streams from the upload through the counter into the copy, one after another (yazl asks
    // for the next part when the previous is written), so memory stays at a few buffers whatever the size.
    let fail: (error: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => (fail = (error) => reject(damaged(error))));
    const out = new yazl.ZipFile();
    const written = pipeline(out.outputStream, createWriteStream(ordered));
    written.catch(() => {});
    let inflated = 0;
    for (const entry of entries.filter((e) => !e.fileName.endsWith('/')).sort((a, b) => byReadingOrder(a, b, sheetOrder))) {
      const sheet = /^xl\/worksheets\/[^/]+\.xml$/.test(entry.fileName);
      let tail = '';
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          inflated += chunk.length;
          if (inflated > limits.maxUnzippedBytes) return done(tooBig());
          if (sheet) {
            // Count "<row " across chunk borders: keep the last 4 characters of the previous chunk.
            const text = tail + chunk.toString('latin1');
            for (let i = text.indexOf('<row '); i >= 0; i = text.indexOf('<row ', i + 5)) rows++;
            tail = text.slice(-4);
          }
          done(null, chunk);
        },
      });
      meter.on('error', fail);
      out.addReadStreamLazy(entry.fileName, { compressionLevel: 1 }, (give) =>
        zip.openReadStream(entry, (err, stream) => {
          if (err) return fail(err);
          stream.on('error', fail);
          give(null, stream.pipe(meter));
        }),
      );
    }
    out.end();
    try {
      await Promise.race([written, failed]);
    } catch (error) {
      (out.outputStream as Readable).destroy();
      throw error;
    }
    await rename(ordered, path);
    return { rows, sheets };
  } finally {
    zip.close();
    await rm(ordered, { force: true });
  }
}

/**
 * Content types, relations, the workbook, shared strings and styles, anything else, then the worksheets in
 * the workbook's sheet order (each after its own relations); a worksheet the workbook does not list, last.
 */
function byReadingOrder(a: yauzl.Entry, b: yauzl.Entry, sheetOrder: Map<string, number>): number {
  const rank = (name: string): [number, number] => {
    const first = ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'].indexOf(name);
    if (first >= 0) return [first, 0];
    const sheet = /^xl\/worksheets\/(?:_rels\/)?([^/]+\.xml)(\.rels)?$/.exec(name);
    if (!sheet) return [7, 0];
    return [8, (sheetOrder.get(`xl/worksheets/${sheet[1]}`) ?? 1e6) * 2 + (sheet[2] ? 0 : 1)];
  };
  const [ra, sa] = rank(a.fileName);
  const [rb, sb] = rank(b.fileName);
  return ra - rb || sa - sb || a.fileName.localeCompare(b.fileName);
}

/** Relation id → part path (from xl/), as in xl/_rels/workbook.xml.rels. */
function relationTargets(relsXml: string): Map<string, string> {
  const targets = new Map<string, string>();
  for (const [, attributes] of relsXml.matchAll(/<(?:\w+:)?Relationship\s([^>]*?)\/?>/g)) {
    const id = /(?:^|\s)Id="([^"]*)"/.exec(attributes!)?.[1];
    const target = /(?:^|\s)Target="([^"]*)"/.exec(attributes!)?.[1];
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  return targets;
}

function sheetsOf(workbookXml: string): WorkbookSheet[] {
  const sheets: WorkbookSheet[] = [];
  for (const [, attributes] of workbookXml.matchAll(/<(?:\w+:)?sheet\s([^>]*?)\/?>/g)) {
    const attr = (name: string) => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes!)?.[1];
    const name = attr('name');
    const rId = attr('r:id');
    const id = Number(attr('sheetId'));
    if (name === undefined || rId === undefined || !Number.isInteger(id)) continue;
    const state = attr('state');
    sheets.push({ id, name: xmlText(name), rId, ...(state ? { state } : {}) });
  }
  return sheets;
}

const xmlText = (text: string) =>
  text.replace(/&(?:#x([0-9a-f]+)|#(\d+)|(amp|lt|gt|quot|apos));/gi, (_, hex: string | undefined, dec: string | undefined, named: string | undefined) =>
    hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[named!.toLowerCase()]!,
  );

async function startsLikeZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  } finally {
    await handle.close();
  }
}

const mib = (n: number) => Math.floor(n / 1024 / 1024);

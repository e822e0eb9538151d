import { describe, expect, it } from 'vitest';
import { uploadProblems } from '@app/kernel';
// The server's code lists (the reporters are typed by them, so a new code cannot skip the list) and the
// cabinet's catalogues: every refusal an upload can carry is said in Russian and in English.
import { uploadErrorCodes, uploadFailureCodes } from '../../packages/cabinet-front/src/uploads/upload-problems.js';
import enShell from '../../packages/web/src/cabinet/i18n/en.json' with { type: 'json' };
import ruShell from '../../packages/web/src/cabinet/i18n/ru.json' with { type: 'json' };
import en from '../../packages/web/src/cabinet/uploads/i18n/en.json' with { type: 'json' };
import ru from '../../packages/web/src/cabinet/uploads/i18n/ru.json' with { type: 'json' };

const catalogues = { ru: { uploads: ru.uploads, errors: ruShell.errors }, en: { uploads: en.uploads, errors: enShell.errors } };
const missing = (texts: Record<string, string>, codes: readonly string[]) => codes.filter((c) => !texts[c]?.trim());

describe.each(Object.entries(catalogues))('upload messages in %s', (_, c) => {
  it('say every cell and point refusal of an upload job', () => {
    expect(missing(c.uploads.cellError, uploadErrorCodes)).toEqual([]);
  });

  it('say every reason a whole file is refused, in the job and at the upload request', () => {
    expect(missing(c.uploads.failure, uploadFailureCodes)).toEqual([]);
    expect(missing(c.errors, uploadProblems)).toEqual([]);
  });
});

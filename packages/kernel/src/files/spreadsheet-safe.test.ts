import { describe, expect, it } from 'vitest';
import { spreadsheetSafe } from './spreadsheet-safe.js';

describe('spreadsheetSafe', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'],
    ['+7 900 123 45 67', "'+7 900 123 45 67"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
  ])('turns %j into text a spreadsheet will not run', (input, output) => {
    expect(spreadsheetSafe(input)).toBe(output);
  });

  it.each(['Иванов Иван', 'line-7', 'a=b', '', "'already"])('leaves %j as it is', (input) => {
    expect(spreadsheetSafe(input)).toBe(input);
  });
});

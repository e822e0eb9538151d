/**
 * CSV/formula injection: a text cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab or a
 * carriage return first — `=HYPERLINK("http://…")`, `@SUM(…)`, `-2+3`) gets a leading apostrophe, so Excel and
 * LibreOffice show it as text instead of running it (OWASP's advice). Only for text that came from outside
 * (names, partner ids, error messages echoing input): numeric columns keep their minus sign.
 */
export function spreadsheetSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

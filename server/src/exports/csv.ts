import type { SessionsCsvColumn } from '../../../shared/export.js';

/**
 * CSV per RFC 4180 (CRLF rows; a field with a comma, quote, CR or LF is quoted,
 * quotes doubled) and safe to open in a spreadsheet: a cell that starts with
 * = + - @ TAB or CR would be read as a formula, so it gets a leading apostrophe
 * (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: ReadonlyArray<string | number | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export type CsvRecord = Record<SessionsCsvColumn, string | number | null>;

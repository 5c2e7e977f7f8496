import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import type { Block, ExportDocument } from './document.js';

/**
 * Server-side PDF (pdfkit), paginated, with the candidate's name and role in
 * the header of every page and "Page i of n" in the footer. The fonts are
 * DejaVu Sans from the `dejavu-fonts-ttf` package (read from node_modules, no
 * network): unlike the PDF standard fonts they cover Latin Extended, Greek and
 * Cyrillic, so names like "Łukasz" or "Андрей" print as written. Scripts
 * DejaVu lacks (e.g. CJK) print as empty boxes (docs/exports.md).
 */

const require = createRequire(import.meta.url);
let fonts: { regular: Buffer; bold: Buffer } | undefined;
function loadFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
  };
  return fonts;
}

const MARGIN = { top: 78, bottom: 64, left: 56, right: 56 };
const INK = '#1f2328';
const MUTED = '#6e7781';
const RULE = '#d0d7de';
const INTERVIEWER = '#0b5cad';
const CANDIDATE = '#1a7f37';

type Doc = PDFKit.PDFDocument;

function width(doc: Doc): number {
  return doc.page.width - MARGIN.left - MARGIN.right;
}

function bottom(doc: Doc): number {
  return doc.page.height - MARGIN.bottom;
}

/** Starts a new page when `height` does not fit on this one. */
function ensure(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

function heading(doc: Doc, text: string): void {
  // Keep a heading with the first lines of what follows it.
  ensure(doc, 96);
  doc.moveDown(0.8);
  doc.font('bold').fontSize(13).fillColor(INK).text(text, MARGIN.left, doc.y, { width: width(doc) });
  const y = doc.y + 2;
  doc.moveTo(MARGIN.left, y).lineTo(MARGIN.left + width(doc), y).lineWidth(0.5).strokeColor(RULE).stroke();
  doc.y = y + 6;
}

function fields(doc: Doc, rows: Array<[string, string]>): void {
  const labelW = 90;
  const valueW = width(doc) - labelW - 10;
  for (const [label, value] of rows) {
    doc.fontSize(10);
    const h = Math.max(doc.font('bold').heightOfString(label, { width: labelW }), doc.font('body').heightOfString(value, { width: valueW }));
    ensure(doc, h + 3);
    const y = doc.y;
    doc.font('bold').fillColor(MUTED).text(label, MARGIN.left, y, { width: labelW });
    doc.font('body').fillColor(INK).text(value, MARGIN.left + labelW + 10, y, { width: valueW });
    doc.y = y + h + 3;
  }
}

function table(doc: Doc, columns: string[], rows: string[][]): void {
  const total = width(doc);
  // The last column takes what the others leave: it holds the long text (evidence, score notes).
  const widths = columns.map((_, i) => (columns.length === 1 ? total : i === columns.length - 1 ? 0 : Math.min(150, total / columns.length)));
  widths[widths.length - 1] = total - widths.slice(0, -1).reduce((a, b) => a + b, 0);
  const pad = 4;
  const drawRow = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'bold' : 'body').fontSize(9);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: (widths[i] ?? 0) - 2 * pad }))) + 2 * pad;
    if (doc.y + h > bottom(doc)) {
      doc.addPage();
      if (!bold) drawRow(columns, true);
    }
    const y = doc.y;
    if (bold) doc.rect(MARGIN.left, y, total, h).fillColor('#f6f8fa').fill();
    let x = MARGIN.left;
    cells.forEach((c, i) => {
      doc.fillColor(INK).text(c, x + pad, y + pad, { width: (widths[i] ?? 0) - 2 * pad });
      x += widths[i] ?? 0;
    });
    doc.moveTo(MARGIN.left, y + h).lineTo(MARGIN.left + total, y + h).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.y = y + h;
  };
  ensure(doc, 40);
  drawRow(columns, true);
  for (const r of rows) drawRow(r, false);
  doc.moveDown(0.5);
}

function block(doc: Doc, b: Block): void {
  const x = MARGIN.left;
  switch (b.kind) {
    case 'heading':
      return heading(doc, b.text);
    case 'fields':
      return fields(doc, b.rows);
    case 'paragraph':
      doc.font(b.strong ? 'bold' : 'body').fontSize(b.strong ? 12 : 10).fillColor(b.muted ? MUTED : INK);
      ensure(doc, doc.heightOfString(b.text, { width: width(doc) }) > 200 ? 30 : doc.heightOfString(b.text, { width: width(doc) }));
      doc.text(b.text, x, doc.y, { width: width(doc) });
      doc.moveDown(0.4);
      return;
    case 'list':
      if (b.title) {
        ensure(doc, 30);
        doc.font('bold').fontSize(10).fillColor(INK).text(b.title, x, doc.y, { width: width(doc) });
      }
      doc.font('body').fontSize(10).fillColor(INK);
      for (const item of b.items) {
        ensure(doc, 14);
        doc.text(`•  ${item}`, x + 8, doc.y, { width: width(doc) - 8 });
      }
      doc.moveDown(0.4);
      return;
    case 'table':
      return table(doc, b.columns, b.rows);
    case 'turn': {
      ensure(doc, 34);
      doc.moveDown(0.3);
      const y = doc.y;
      doc.font('bold').fontSize(10).fillColor(b.role === 'interviewer' ? INTERVIEWER : CANDIDATE).text(b.speaker, x, y, { continued: b.when !== null });
      if (b.when !== null) doc.font('body').fontSize(8.5).fillColor(MUTED).text(`   ${b.when}`);
      doc.font('body').fontSize(10).fillColor(INK).text(b.text, x + 12, doc.y + 1, { width: width(doc) - 12 });
      return;
    }
  }
}

/** Header and footer on every page, drawn once all pages exist (so "of n" is known). */
function decorate(doc: Doc, d: ExportDocument, generated: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    // Writing into the margins must not trigger pdfkit's automatic page break.
    const margins = doc.page.margins;
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
    const w = doc.page.width - MARGIN.left - MARGIN.right;
    doc.font('bold').fontSize(9).fillColor(INK).text(d.runningHeader, MARGIN.left, 34, { width: w - 110, lineBreak: false, ellipsis: true });
    doc.font('body').fontSize(9).fillColor(MUTED).text('Candor interview', MARGIN.left + w - 110, 34, { width: 110, align: 'right', lineBreak: false });
    doc.moveTo(MARGIN.left, 50).lineTo(MARGIN.left + w, 50).lineWidth(0.5).strokeColor(RULE).stroke();
    const fy = doc.page.height - 40;
    doc.font('body').fontSize(8.5).fillColor(MUTED).text(`Exported ${generated}`, MARGIN.left, fy, { width: w / 2, lineBreak: false });
    doc.text(`Page ${i - range.start + 1} of ${range.count}`, MARGIN.left + w / 2, fy, { width: w / 2, align: 'right', lineBreak: false });
    doc.page.margins = margins;
  }
}

/** Writes the PDF to `out`; resolves when pdfkit has emitted its last byte. */
export function renderPdf(d: ExportDocument, out: Writable, generated: string): Promise<void> {
  const f = loadFonts();
  const doc = new PDFDocument({ size: 'A4', margins: MARGIN, bufferPages: true, info: { Title: d.title, Creator: 'Candor', Producer: 'Candor (pdfkit)' } });
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.pipe(out);
  doc.registerFont('body', f.regular);
  doc.registerFont('bold', f.bold);
  doc.font('bold').fontSize(18).fillColor(INK).text(d.title, MARGIN.left, MARGIN.top, { width: width(doc) });
  doc.moveDown(0.5);
  for (const b of d.blocks) block(doc, b);
  decorate(doc, d, generated);
  doc.end();
  return done;
}

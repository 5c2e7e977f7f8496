import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Reads PDFs the way a viewer does, in-process (pdfjs-dist, with @napi-rs/canvas — a
 * prebuilt binary inside a registry package — for rendering): no system tool needed, so
 * the export tests run on a fresh machine.
 */

async function open(bytes: Uint8Array) {
  return getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
}

/** The text of each page, lines joined by newlines. */
export async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  const doc = await open(bytes);
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    let text = '';
    for (const item of content.items) {
      if (!('str' in item)) continue;
      text += item.str + (item.hasEOL ? '\n' : '');
    }
    pages.push(text);
  }
  await doc.destroy();
  return pages;
}

/** Renders every page to `<dir>/<prefix>-<n>.png` (for a person to look at); returns the files. */
export async function renderPdf(bytes: Uint8Array, dir: string, prefix: string, scale = 1): Promise<string[]> {
  const doc = await open(bytes);
  const files: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const viewport = page.getViewport({ scale });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    await page.render({ canvasContext: context as unknown as CanvasRenderingContext2D, viewport }).promise;
    const file = path.join(dir, `${prefix}-${n}.png`);
    writeFileSync(file, canvas.toBuffer('image/png'));
    files.push(file);
  }
  await doc.destroy();
  return files;
}

import type { Block, ExportDocument } from './document.js';

/**
 * Markdown that reads well as plain text and renders safely: user text (answers,
 * names, notes) can neither open raw HTML, links, code or emphasis, nor start a
 * heading, list or quote of its own. `_` inside a word is left alone (CommonMark
 * does not treat it as emphasis), so identifiers stay readable.
 */
export function mdInline(text: string): string {
  return text
    .replace(/[\\`*[\]<>]/g, '\\$&')
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/\r?\n|\r/g, ' ');
}

/** One line of user text at the start of a Markdown line: block markers are escaped too. */
function mdLine(line: string): string {
  return mdInline(line)
    .replace(/^(\s*)([#+=~-])/, '$1\\$2')
    .replace(/^(\s*)(\d+)([.)])/, '$1$2\\$3');
}

function cell(text: string): string {
  return mdInline(text).replace(/\|/g, '\\|') || ' ';
}

function quote(text: string): string {
  return text
    .split(/\r?\n|\r/)
    .map((line) => (line.trim() === '' ? '>' : `> ${mdLine(line)}`))
    .join('\n');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `## ${mdInline(b.text)}`;
    case 'fields':
      return ['| | |', '|---|---|', ...b.rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`)].join('\n');
    case 'paragraph': {
      const text = mdLine(b.text);
      return b.strong ? `**${text}**` : b.muted ? `*${text}*` : text;
    }
    case 'list':
      return [...(b.title ? [`**${mdInline(b.title)}**`, ''] : []), ...b.items.map((i) => `- ${mdInline(i)}`)].join('\n');
    case 'table':
      return [`| ${b.columns.map(cell).join(' | ')} |`, `|${b.columns.map(() => '---').join('|')}|`, ...b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
    case 'turn':
      return `**${mdInline(b.speaker)}**${b.when ? ` · ${mdInline(b.when)}` : ''}\n${quote(b.text)}`;
  }
}

export function renderMarkdown(doc: ExportDocument): string {
  return `# ${mdLine(doc.title)}\n\n${doc.blocks.map(block).join('\n\n')}\n`;
}

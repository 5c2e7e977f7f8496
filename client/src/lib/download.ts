import type { ExportFormat } from '../../../shared/export.js';
import { ApiError } from './api.js';
import { errorResponseSchema } from '../../../shared/errors.js';

/**
 * One-click downloads of authenticated files (exports, the CSV): a plain link
 * cannot carry the `Authorization` header, so the file is fetched with it and
 * handed to the browser as a blob under the server's filename.
 */
export async function downloadWithToken(path: string, token: string, fallbackName: string, save: (blob: Blob, name: string) => void = saveBlob): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch {
    throw new ApiError(0, { code: 'DEPENDENCY_DOWN', message: 'The server cannot be reached. Check your connection and retry.' });
  }
  if (!res.ok) {
    const parsed = errorResponseSchema.safeParse(await res.json().catch(() => null));
    throw new ApiError(res.status, parsed.success ? parsed.data.error : { code: 'INTERNAL', message: `The server answered ${res.status}.` });
  }
  save(await res.blob(), filenameOf(res.headers.get('content-disposition')) ?? fallbackName);
}

export function filenameOf(disposition: string | null): string | null {
  const match = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  return match?.[1] ?? null;
}

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const EXPORT_FORMATS: ReadonlyArray<{ format: ExportFormat; label: string }> = [
  { format: 'pdf', label: 'PDF' },
  { format: 'md', label: 'Markdown' },
  { format: 'json', label: 'JSON' },
];

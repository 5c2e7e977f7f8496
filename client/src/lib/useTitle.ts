import { useEffect } from 'react';

/** Sets the document title for the current page (read first by screen readers on navigation). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Candor`;
  }, [title]);
}

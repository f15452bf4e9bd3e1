export interface Toast { id: number; text: string; kind: 'ok' | 'error' }
export const toasts: Toast[] = $state([]);
let n = 0;
export function toast(text: string, kind: 'ok' | 'error' = 'ok') {
  const id = ++n;
  toasts.push({ id, text, kind });
  if (toasts.length > 2) toasts.splice(0, toasts.length - 2);
  setTimeout(() => {
    const i = toasts.findIndex((t) => t.id === id);
    if (i >= 0) toasts.splice(i, 1);
  }, kind === 'error' ? 6000 : 2500);
}

import { tick } from 'svelte';

/** revealFirstError scrolls to and focuses the first invalid input (or
 * error message) inside root after the DOM has updated. */
export async function revealFirstError(selector = '.drawer') {
  await tick();
  const root = document.querySelector(selector) || document.body;
  const el = root.querySelector('.invalid, .invalid-box, .err') as HTMLElement | null;
  if (!el) return;
  el.scrollIntoView({ block: 'center' });
  if (el.matches('input, textarea, select')) el.focus({ preventScroll: true });
}

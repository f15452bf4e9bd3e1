// One stack of Escape-dismissable layers for the whole dashboard: drawers,
// dialogs nested in them, open autocomplete lists and menus. Escape closes
// only the innermost (most recently opened) layer. A single capture-phase
// window listener handles the key before any element or bubbling window
// handler sees it, so a drawer's own Escape handling never runs while an
// inner layer (an autocomplete list, a confirm dialog) is open.

/** Layer is one dismissable layer: onEscape is what Escape does to it. */
export interface Layer { onEscape: () => void }

const stack: Layer[] = [];
let installed = false;

/** handleEscape runs the innermost layer's onEscape for an Escape keydown;
 * it reports whether a layer took the key (and then stops the event). */
export function handleEscape(e: Pick<KeyboardEvent, 'key' | 'preventDefault' | 'stopImmediatePropagation'> & { isComposing?: boolean }): boolean {
  if (e.key !== 'Escape' || e.isComposing || !stack.length) return false;
  e.preventDefault();
  e.stopImmediatePropagation();
  stack[stack.length - 1].onEscape();
  return true;
}

function install() {
  if (installed || typeof window === 'undefined') return;
  installed = true;
  window.addEventListener('keydown', (e) => { handleEscape(e); }, true);
}

/** pushLayer opens a layer on top of the stack and returns the function
 * that removes it (wherever it is by then: layers may close out of order). */
export function pushLayer(onEscape: () => void): () => void {
  install();
  const l: Layer = { onEscape };
  stack.push(l);
  return () => {
    const i = stack.indexOf(l);
    if (i >= 0) stack.splice(i, 1);
  };
}

/** depth is the number of open layers (tests, and "is anything open?"). */
export function depth(): number { return stack.length; }

/** isTop reports whether onEscape belongs to the innermost layer. */
export function isTop(onEscape: () => void): boolean {
  return stack.length > 0 && stack[stack.length - 1].onEscape === onEscape;
}

/** layer is a Svelte action: the element is an Escape layer while it is
 * mounted, e.g. `<ul class="dropdown" use:layer={() => (open = false)}>`.
 * The handler is read at Escape time, so it may change between updates. */
export function layer(node: Element, onEscape: () => void) {
  let fn = onEscape;
  const pop = pushLayer(() => fn());
  return {
    update(next: () => void) { fn = next; },
    destroy() { pop(); },
  };
}

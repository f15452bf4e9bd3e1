// portal moves an element to <body> while it is mounted: a nested drawer
// rendered inside another drawer's <form> gets its own form (no nested
// forms, Enter submits the right one) and its own stacking context.

/** portal is a Svelte action: `<div use:portal>` lives under document.body. */
export function portal(node: HTMLElement) {
  document.body.appendChild(node);
  return { destroy() { node.remove(); } };
}

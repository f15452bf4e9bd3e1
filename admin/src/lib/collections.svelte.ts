// The collections cache shared by the sidebar, the schema editor and the
// autocomplete (refreshed after every change).

import { pb } from './pb';
import type { Collection } from './fields';

export const store = $state({ collections: [] as Collection[], loaded: false, error: '', hideControls: false });

/** loadMeta reads settings.meta.hideControls (hides schema editing controls). */
export async function loadMeta() {
  try {
    const s: any = await pb.settings.getAll();
    store.hideControls = !!s?.meta?.hideControls;
  } catch { /* not fatal */ }
}

export async function loadCollections() {
  try {
    const list = await pb.collections.getFullList({ batch: 500 });
    store.collections = list as unknown as Collection[];
    store.loaded = true;
    store.error = '';
  } catch (e: any) {
    if (!e?.isAbort) store.error = e?.message || 'Failed to load collections.';
  }
  return store.collections;
}

export function findCollection(key: string): Collection | undefined {
  return store.collections.find((c) => c.id === key) || store.collections.find((c) => c.name === key);
}

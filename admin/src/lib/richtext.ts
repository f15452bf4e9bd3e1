// The rich-text editor of "editor" fields: TipTap (ProseMirror) with its
// StarterKit (paragraphs, headings, lists, quotes, code, links, undo) and
// images. Loaded on demand as its own chunk (RichEditor imports this file
// dynamically), so the first screen does not carry it.
//
// Both directions go through the dashboard's DOMPurify sanitiser: the
// stored value (untrusted: any user allowed to write the field wrote it)
// before it reaches the editor, and the editor's HTML before it becomes
// the field's value. TipTap's own <style> tag is turned off (injectCSS:
// false) — the CSP on /_/ allows no inline style; the few rules the editor
// needs live in RichEditor.svelte's stylesheet.
import { Editor } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import Image from '@tiptap/extension-image';
import { sanitizeHTML, safeUrl } from './sanitize';

export type { Editor };

export interface RichOptions {
  element: HTMLElement;
  html: string;
  editable: boolean;
  id: string;
  /** onchange receives the sanitised HTML after each edit ('' when empty). */
  onchange: (html: string) => void;
  /** onstate is called after each transaction (toolbar active marks). */
  onstate?: () => void;
}

/** outputHTML turns the editor's HTML into the stored value. */
export function outputHTML(ed: Editor): string {
  return ed.isEmpty ? '' : sanitizeHTML(ed.getHTML());
}

/** createEditor mounts an editor in element. */
export function createEditor(o: RichOptions): Editor {
  return new Editor({
    element: o.element,
    injectCSS: false,
    editable: o.editable,
    content: sanitizeHTML(o.html || ''),
    extensions: [
      StarterKit.configure({
        heading: { levels: [1, 2, 3] },
        // no empty paragraph appended after a trailing list or quote: the
        // stored value is what the user wrote
        trailingNode: false,
        link: {
          openOnClick: false,
          autolink: true,
          // http(s), mailto and relative links only (the sanitiser's rule)
          isAllowedUri: (url: string) => !!safeUrl(url),
          HTMLAttributes: { rel: 'noopener noreferrer nofollow', target: null },
        },
      }),
      Image.configure({ allowBase64: false }),
    ],
    editorProps: {
      attributes: { id: o.id, role: 'textbox', 'aria-multiline': 'true', class: 'area' },
    },
    onUpdate: ({ editor }) => o.onchange(outputHTML(editor)),
    onTransaction: () => o.onstate?.(),
  });
}

/** setContent replaces the content without counting as an edit. */
export function setContent(ed: Editor, html: string): void {
  ed.commands.setContent(sanitizeHTML(html || ''), { emitUpdate: false });
}

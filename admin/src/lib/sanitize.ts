// The one place where user content becomes HTML. Everything else in the
// dashboard is rendered as text by Svelte; rich-text (editor field) values
// are the exception and go through DOMPurify here, so stored markup can
// never carry script (event handlers, <script>, javascript: URLs, SVG/MathML
// tricks) into the superuser's page. The CSP on /_/ is the second wall.
import DOMPurify from 'dompurify';

/** SAFE_URL accepts http(s) and mailto URLs and relative ones (no scheme):
 * DOMPurify's default list minus tel/ftp/sms/xmpp/…, which a dashboard
 * never needs in user content. */
export const SAFE_URL = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

const CONFIG = {
  ALLOWED_URI_REGEXP: SAFE_URL,
  // Inline styles would only trip the CSP (style-src 'self') and can
  // redress the UI; forms and inputs inside a record value have no use.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'object', 'embed', 'base', 'link', 'meta'],
  FORBID_ATTR: ['style', 'srcset', 'formaction', 'action'],
  ALLOW_DATA_ATTR: false,
  // ids and names in user markup get a "user-content-" prefix: they cannot
  // clobber the dashboard's own ids (labels, form fields) or DOM globals
  SANITIZE_NAMED_PROPS: true,
};

/** sanitizeHTML returns html without anything that can run script or
 * leave the dashboard's own styling (see CONFIG). */
export function sanitizeHTML(html: string): string {
  if (!html) return '';
  return DOMPurify.sanitize(html, CONFIG) as string;
}

/** safeUrl returns url when it is http(s), mailto or relative, else ''
 * (for href/src built from data: no javascript:, data: or vbscript:). */
export function safeUrl(url: string | null | undefined): string {
  const u = String(url ?? '').trim();
  // control characters and whitespace inside a scheme ("java\tscript:") are
  // dropped by URL parsers: judge the URL without them
  const squeezed = u.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  return u && SAFE_URL.test(squeezed) ? u : '';
}


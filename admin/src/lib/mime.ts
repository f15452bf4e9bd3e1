// MIME-type presets of the file field options: one click fills
// "Allowed MIME types" with the usual types of a kind of file.

/** MIME_PRESETS maps a preset's label to its types. */
export const MIME_PRESETS: Record<string, string[]> = {
  Images: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/svg+xml', 'image/avif'],
  Documents: ['application/pdf', 'text/plain', 'text/csv', 'application/rtf', 'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation', 'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet'],
  Video: ['video/mp4', 'video/webm', 'video/ogg', 'video/quicktime', 'video/x-msvideo', 'video/x-matroska', 'video/3gpp'],
  Audio: ['audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/webm', 'audio/aac', 'audio/flac', 'audio/mp4'],
  Archives: ['application/zip', 'application/gzip', 'application/x-tar', 'application/x-7z-compressed',
    'application/vnd.rar', 'application/x-bzip2', 'application/x-xz'],
};

/** addPreset returns list with the preset's types appended (no duplicates,
 * order kept). */
export function addPreset(list: string[] | undefined, preset: string): string[] {
  const out = [...(list || [])];
  for (const t of MIME_PRESETS[preset] || []) if (!out.includes(t)) out.push(t);
  return out;
}

/** hasPreset reports whether every type of the preset is in list. */
export function hasPreset(list: string[] | undefined, preset: string): boolean {
  return (MIME_PRESETS[preset] || []).every((t) => (list || []).includes(t));
}

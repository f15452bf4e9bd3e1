// Pure helpers of the Backups screen (spec §1.11): the name rule the
// server applies to backup keys, byte sizes for people, and the order of
// the list.

/** Backup is one archive of GET /api/backups. */
export type Backup = { key: string; size: number; modified: string };

/** NAME_RE is the server's rule for backup names (core/backups.go). */
export const NAME_RE = /^[a-z0-9_-]+\.zip$/;

/** nameError returns why name cannot be a backup name, or '' when it can
 * ('' also for an empty name: the server then generates one). */
export function nameError(name: string): string {
  if (name === '') return '';
  if (name.length > 150) return 'At most 150 characters.';
  if (!name.endsWith('.zip')) return 'The name must end with .zip.';
  if (!NAME_RE.test(name)) return 'Only lowercase letters, digits, _ and - before .zip.';
  return '';
}

/** formatSize renders a byte count with binary units (1 KB = 1024 B). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** sortBackups orders newest first, then by key (a stable, readable list). */
export function sortBackups(list: Backup[]): Backup[] {
  return [...list].sort((a, b) => (b.modified || '').localeCompare(a.modified || '') || a.key.localeCompare(b.key));
}

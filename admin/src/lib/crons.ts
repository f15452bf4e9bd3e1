// Crons screen logic: the job shape of GET /api/crons and a short reading
// of common expressions.

/** CronJob is one item of GET /api/crons; the last* fields and running are
 * Basalt's superuser-only extension (absent until the job ran). */
export interface CronJob {
  id: string;
  expression: string;
  running?: boolean;
  lastRun?: string;
  lastError?: string;
  lastTrigger?: 'schedule' | 'manual';
  lastDuration?: number;
}

const MACROS: Record<string, string> = {
  '@yearly': 'once a year (Jan 1, 00:00)', '@annually': 'once a year (Jan 1, 00:00)', '@monthly': 'monthly (day 1, 00:00)',
  '@weekly': 'weekly (Sunday 00:00)', '@daily': 'daily at 00:00', '@midnight': 'daily at 00:00', '@hourly': 'every hour',
};

const pad = (n: string) => n.padStart(2, '0');

/** describeCron reads the common shapes of an expression in words ("every
 * 6 hours", "daily at 04:05"); anything else answers '' (the expression
 * itself is shown anyway). */
export function describeCron(expr: string): string {
  const e = expr.trim();
  if (MACROS[e]) return MACROS[e];
  const f = e.split(/\s+/);
  if (f.length !== 5) return '';
  const [mi, h, dom, mon, dow] = f;
  const num = (s: string) => /^\d+$/.test(s);
  const days = dom === '*' && mon === '*' && dow === '*';
  if (!days) return '';
  if (mi === '*' && h === '*') return 'every minute';
  const step = /^\*\/(\d+)$/;
  if (step.test(mi) && h === '*') return `every ${step.exec(mi)![1]} minutes`;
  if (num(mi) && h === '*') return mi === '0' ? 'every hour' : `every hour at :${pad(mi)}`;
  if (num(mi) && step.test(h)) return `every ${step.exec(h)![1]} hours at :${pad(mi)}`;
  if (num(mi) && num(h)) return `daily at ${pad(h)}:${pad(mi)}`;
  return '';
}

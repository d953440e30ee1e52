// Relative times for people at a terminal; pipes get the ISO timestamp instead.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS: [limit: number, unit: number, suffix: string][] = [
  [HOUR, MINUTE, 'm'],
  [DAY, HOUR, 'h'],
  [30 * DAY, DAY, 'd'],
  [365 * DAY, 30 * DAY, 'mo'],
  [Infinity, 365 * DAY, 'y'],
];

/** "just now", "5m ago", "3h ago", "2d ago", "4mo ago", "1y ago"; future times read "in 3h". */
export function relativeTime(iso: string, now: Date): string {
  const elapsed = now.getTime() - Date.parse(iso);
  if (Number.isNaN(elapsed)) return iso;
  const span = Math.abs(elapsed);
  if (span < MINUTE) return 'just now';
  const [, unit, suffix] = STEPS.find(([limit]) => span < limit)!;
  const amount = `${Math.floor(span / unit)}${suffix}`;
  return elapsed < 0 ? `in ${amount}` : `${amount} ago`;
}

/**
 * Dates the way Trivy reads them: `YYYY-MM-DD` is midnight UTC of that day (Go's
 * `time.Parse("2006-01-02", s)`), and an ignore entry is dropped once that instant is before now,
 * so an entry dated today has already expired. https://github.com/aquasecurity/trivy/blob/main/pkg/result/ignore.go
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
// The RFC 3339 form yaml.v3 also accepts for a time.Time field (`.trivyignore.yaml` `expired_at`).
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Midnight UTC of a real calendar day written `YYYY-MM-DD`, in ms; undefined for anything else. */
export function parseDay(text: string): number | undefined {
  const m = DAY.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; Go's time.Parse rejects it, so do we.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms;
}

/** `YYYY-MM-DD` or an RFC 3339 timestamp, in ms; undefined when it is neither. */
export function parseDayOrTimestamp(text: string): number | undefined {
  const day = parseDay(text);
  if (day !== undefined) return day;
  if (!TIMESTAMP.test(text) || parseDay(text.slice(0, 10)) === undefined) return undefined;
  const ms = Date.parse(text.replace(" ", "T"));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Trivy's test: expired when the expiry instant is before now. */
export function isPast(ms: number, now: Date): boolean {
  return ms < now.getTime();
}

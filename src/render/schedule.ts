import { createHash } from "node:crypto";
import { Cron } from "croner";

/**
 * The cron line for an answer. `daily` and `weekly` pick an off-peak time derived from the image name:
 * stable for one repository (a re-run changes nothing) but spread across repositories, and never at
 * minute 0, when GitHub's scheduler is busiest and delays or drops runs.
 */
export function cronFor(schedule: string, seed: string): { cron: string; text: string } {
  if (schedule !== "daily" && schedule !== "weekly") return { cron: schedule.trim().split(/\s+/).join(" "), text: `on the cron schedule "${schedule}" (UTC)` };
  const digest = createHash("sha256").update(seed).digest();
  const minute = 1 + ((digest[0] ?? 0) % 58); // 1..58
  const hour = 2 + ((digest[1] ?? 0) % 4); // 02..05 UTC
  const at = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")} UTC`;
  return schedule === "daily"
    ? { cron: `${minute} ${hour} * * *`, text: `every day at ${at}` }
    : { cron: `${minute} ${hour} * * 1`, text: `every Monday at ${at}` };
}

// GitHub runs POSIX cron: five fields, UTC, day-of-month OR day-of-week when both are set (croner's
// default, domAndDow: false). croner checks the ranges; a line that never fires has no next run.
// A fixed UTC offset, not the timezone "UTC": the same instants, without the Intl time-zone formatter
// (most of a next-run computation, 15-20 ms of a set-up).
const parse = (cron: string) => new Cron(cron, { paused: true, utcOffset: 0, mode: "5-part" });

/** Why a five-field cron line is unusable (a field out of range, or it never fires), or undefined. */
export function cronProblem(cron: string): string | undefined {
  let job: Cron;
  try {
    job = parse(cron);
  } catch (error) {
    return `not a valid cron line (${(error as Error).message.replace(/^CronPattern: /, "")}); fields are minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-6`;
  }
  // Leap days recur within 8 years; croner gives up on a line that never matches.
  if (job.nextRun(new Date("2024-01-01T00:00:00Z")) === null) return "this line never fires (no such date, e.g. 31 February); pick a day that exists";
  return undefined;
}

/** When the rescan first runs after `now`, as "2026-11-28 04:17 UTC" (shown in the plan). */
export function nextRunText(cron: string, now: Date): string | undefined {
  try {
    const next = parse(cron).nextRun(now);
    return next ? `${next.toISOString().slice(0, 16).replace("T", " ")} UTC` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The daily database download (security-db.yml): the same off-peak minute as a daily rescan, one hour
 * earlier, so the rescan and the morning's pull requests find a fresh copy in the cache.
 */
export function dbCronFor(seed: string): { cron: string; text: string } {
  const daily = cronFor("daily", seed);
  const [minute, hour] = daily.cron.split(" ");
  const h = Number(hour) - 1;
  return { cron: `${minute} ${h} * * *`, text: `every day at ${String(h).padStart(2, "0")}:${String(minute).padStart(2, "0")} UTC` };
}

import { createHash } from "node:crypto";

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

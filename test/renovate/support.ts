import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("../fixtures/renovate/", import.meta.url));

/** Every file under dir, repo-relative with forward slashes. */
export function listFiles(dir: string, rel = ""): string[] {
  return readdirSync(join(dir, rel)).flatMap((name) => {
    const r = rel ? `${rel}/${name}` : name;
    return statSync(join(dir, r)).isDirectory() ? listFiles(dir, r) : [r];
  });
}

export const read = (dir: string) => (rel: string) => readFileSync(join(dir, rel), "utf8");

/** True when `small` is `big` with characters only inserted (white space ignored): nothing was removed. */
export function onlyInsertions(small: string, big: string): boolean {
  const a = small.replace(/\s+/g, "");
  const b = big.replace(/\s+/g, "");
  let i = 0;
  for (let j = 0; j < b.length && i < a.length; j++) if (a[i] === b[j]) i++;
  return i === a.length;
}

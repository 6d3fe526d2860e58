/** Finds commands in a text that would run another package than create-relay-security (issue 13, item 1). */

const OURS = "create-relay-security";
const OUR_BINS = new Set(["create-relay-security", "relay-security"]);
const RUNNER = /(?:^|[\s`"'(])(npx|bunx|pnpm dlx|pnpm exec|yarn dlx|npm exec|npm x|npm (?:i|install|add)(?: -g| --global)?)\s+([^\n`"')]*)/g;

const pkgName = (spec: string) => spec.replace(/^(@?[^@]+)@.*$/, "$1");

/** Each offending command, as written. */
export function badCommands(text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(RUNNER)) {
    const runner = m[1] as string;
    const words = (m[2] as string).trim().split(/\s+/);
    let pkg: string | undefined;
    let command: string | undefined;
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as string;
      if (w === "-p" || w === "--package") pkg = words[++i];
      else if (w.startsWith("--package=")) pkg = w.slice("--package=".length);
      else if (w.startsWith("-")) continue;
      else {
        command = w;
        break;
      }
    }
    if (command === undefined) continue;
    const installs = runner.startsWith("npm i") || runner.startsWith("npm add");
    const ok = pkg !== undefined && !installs ? pkgName(pkg) === OURS && OUR_BINS.has(command) : pkgName(command) === OURS || !/relay-security/.test(command);
    if (!ok) bad.push(m[0].trim());
  }
  // The bare bin, in backticks, reads as a command to copy; without a global install it only works
  // as `npx create-relay-security …`, and a user "fixing" it with npx would run someone else's package.
  for (const m of text.matchAll(/`(relay-security (?:check|validate|pin|fleet)\b[^`]*)`/g)) bad.push(m[1] as string);
  return bad;
}

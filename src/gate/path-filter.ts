import { isRecord, onOf, type Workflow } from "./locate.js";

/**
 * A `pull_request` paths filter that a dependency bump slips past (issue 10: "a gate on every pull
 * request"). A workflow with `paths: [packaging/docker/**]` builds the image only when those files
 * change, so a gate there never sees Renovate's go.mod pull request: the PR that brings a vulnerable
 * module; one with `paths: ['**.go', go.mod]` never sees the base-image bump of the Dockerfile. GitHub's filter syntax (Workflow syntax, "Filter pattern cheat sheet"): `*` any characters
 * but `/`, `**` any characters, `?` zero or one of the preceding character, `+` one or more of it,
 * `[...]` a class, a leading `!` excludes what earlier patterns matched; the last match decides.
 */

/** The files a filter must let through for the gate to count as "every pull request": go.mod and the Dockerfile. */
export const probes = (dockerfile: string | undefined): string[] => ["go.mod", ...(dockerfile ? [dockerfile.replace(/^\.\//, "")] : [])];

function patternRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        re += ".*";
        i++;
        if (glob[i + 1] === "/") {
          re += "/?";
          i++;
        }
      } else re += "[^/]*";
    } else if (c === "?" || c === "+") re += c;
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end === -1) re += "\\[";
      else {
        re += glob.slice(i, end + 1);
        i = end;
      }
    } else re += c.replace(/[.^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Whether `file` is selected by the list (the last pattern that matches it decides). */
export function selects(patterns: string[], file: string): boolean {
  let selected = false;
  for (const p of patterns) {
    const negated = p.startsWith("!");
    const body = negated ? p.slice(1) : p;
    try {
      if (patternRegExp(body).test(file)) selected = !negated;
    } catch {
      // A pattern we cannot read is one GitHub would reject too; it selects nothing.
    }
  }
  return selected;
}

const list = (v: unknown): string[] | undefined => (typeof v === "string" ? [v] : Array.isArray(v) ? v.map(String) : undefined);

/** Why a pull request that changes only go.mod (or only the Dockerfile) would not run `wf`, or undefined when it would. */
export function skipsDependencyBumps(wf: Workflow, dockerfile?: string): string | undefined {
  const on = onOf(wf);
  const pr = isRecord(on) ? on["pull_request"] : undefined;
  if (!isRecord(pr)) return undefined;
  const paths = list(pr["paths"]);
  const ignored = list(pr["paths-ignore"]);
  for (const file of probes(dockerfile)) {
    if (paths && !selects(paths, file)) return `it runs only on pull requests that change ${paths.join(", ")}, so a pull request that changes ${file} is never gated`;
    if (ignored && selects(ignored, file)) return `its paths-ignore (${ignored.join(", ")}) skips a pull request that changes only ${file}`;
  }
  return undefined;
}

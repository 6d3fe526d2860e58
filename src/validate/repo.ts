import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Answers } from "../answers/schema.js";
import type { Deps } from "../deps.js";
import type { Plan } from "../plan/index.js";
import type { Finding } from "../types.js";
import { lintParse } from "./parse.js";

export interface ValidateContext {
  plan?: Plan;
  answers?: Answers;
  /** Files written by this run (validated from disk); with a dry run, the plan's texts are validated instead. */
  written: string[];
  deps: Deps;
  /** "plan" (default): what this run wrote or would write. "repo": every workflow and config in the repository. */
  scope?: "plan" | "repo";
  imageArchive?: string;
  offline?: boolean;
}

/** Every file `validate` looks at in a repository: workflows, ignore files, updater configs, our state. */
function repoFiles(dir: string): Map<string, string> {
  const texts = new Map<string, string>();
  const wf = join(dir, ".github", "workflows");
  const names = existsSync(wf) ? readdirSync(wf).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  for (const rel of [...names.map((f) => `.github/workflows/${f}`), ".trivyignore", ".trivyignore.yaml", "renovate.json", ".github/dependabot.yml", ".github/relay-security.json"]) {
    const p = join(dir, rel);
    if (existsSync(p)) texts.set(rel, readFileSync(p, "utf8"));
  }
  return texts;
}

/** The validate stage of a set-up: every file we wrote or would write parses. */
export async function validateRepo(dir: string, ctx: ValidateContext): Promise<Finding[]> {
  const texts = ctx.scope === "repo" ? repoFiles(dir) : new Map<string, string>();
  for (const c of ctx.plan?.changes ?? []) {
    if (c.action === "skip" || c.action === "conflict") continue;
    const onDisk = join(dir, c.path);
    const text = ctx.written.includes(c.path) || c.after === undefined ? (existsSync(onDisk) ? readFileSync(onDisk, "utf8") : undefined) : c.after;
    if (text !== undefined) texts.set(c.path, text);
  }
  return [...texts].flatMap(([path, text]) => lintParse(path, text));
}

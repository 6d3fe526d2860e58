import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Deps } from "../deps.js";
import { renderBody, TITLES, type PrContent } from "./body.js";
import { createPr, editPr, findPr, ghReady } from "./gh.js";
import { commitOnBranch, git, preflight, pushBranch, type Start } from "./git.js";

/**
 * `--pr` (issue 16): preflight (before anything is written) -> the command writes its files -> commit them
 * on relay-security/<kind> -> push -> open the PR, or edit the one already open for that branch.
 * Without gh, its login or a push, the branch stays committed and the result says what to run by hand.
 */
export { preflight };

export const BRANCHES = { setup: "relay-security/setup", upgrade: "relay-security/upgrade", pin: "relay-security/pin" } as const;

export interface PrOutcome {
  branch: string;
  commit?: string;
  /** The PR's URL once created or updated. */
  url?: string;
  action: "created" | "updated" | "manual" | "nothing";
  /** What to run by hand when gh or the push could not be used. */
  manual: string[];
  why?: string;
}

const sh = (s: string) => (/^[\w./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

export async function openPr(deps: Deps, dir: string, start: Start, written: string[], content: PrContent): Promise<PrOutcome> {
  const branch = BRANCHES[content.kind];
  if (written.length === 0) return { branch, action: "nothing", manual: [] };
  const title = TITLES[content.kind];
  const commit = await commitOnBranch(deps, dir, start, branch, written, `${title}\n\nWritten by relay-security: ${written.join(", ")}.`);
  // The body lives in .git, so it never dirties the tree and the manual command below can use it.
  const gitDir = await git(deps, dir, ["rev-parse", "--absolute-git-dir"]);
  const bodyFile = join(gitDir, `relay-security-pr-${content.kind}.md`);
  writeFileSync(bodyFile, renderBody(content));
  const text = { title, bodyFile };
  const create = `gh pr create --base ${sh(start.base)} --head ${branch} --title ${sh(title)} --body-file ${sh(bodyFile)}`;
  const manualPush = `git -C ${sh(dir)} push --force-with-lease origin ${branch}`;

  const pushed = await pushBranch(deps, dir, branch);
  if (!pushed.ok) return { branch, commit, action: "manual", why: `the push failed: ${pushed.why}`, manual: [manualPush, `cd ${sh(dir)} && ${create}`] };
  const gh = await ghReady(deps, dir);
  if (!gh.ok) return { branch, commit, action: "manual", why: gh.why, manual: [`cd ${sh(dir)} && ${create}`, `(or, if a pull request is already open for ${branch}: gh pr edit ${branch} --title ${sh(title)} --body-file ${sh(bodyFile)})`] };
  try {
    const open = await findPr(deps, dir, branch);
    if (open) {
      await editPr(deps, dir, open.number, text);
      return { branch, commit, url: open.url, action: "updated", manual: [] };
    }
    return { branch, commit, url: await createPr(deps, dir, start.base, branch, text), action: "created", manual: [] };
  } catch (error) {
    return { branch, commit, action: "manual", why: (error as Error).message, manual: [`cd ${sh(dir)} && ${create}`] };
  }
}

export function renderPrOutcome(o: PrOutcome): string {
  if (o.action === "nothing") return "--pr: nothing changed, so no branch and no pull request.";
  if (o.action === "manual") {
    return [`--pr: committed ${o.commit?.slice(0, 12)} on ${o.branch}, but ${o.why}.`, "Run by hand:", ...o.manual.map((m) => `  ${m}`)].join("\n");
  }
  return `--pr: ${o.action} ${o.url} (branch ${o.branch}, commit ${o.commit?.slice(0, 12)})`;
}

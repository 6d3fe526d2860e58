import { findOurStep, isRecord, jobsOf, parseWorkflow, stepLabel, stepsOf, type Workflow } from "./locate.js";

/**
 * What the job our gate step runs in holds (issue 20 item 7): the step runs a third-party scanner, and
 * every step of a job shares its token, its environment and its disk (a registry login's
 * ~/.docker/config.json, a checkout's token in .git/config). Anything beyond `contents: read` is named.
 */

/** Actions that leave credentials in the job for later steps (a registry or cloud login). */
const LOGIN_ACTIONS: Record<string, string> = {
  "docker/login-action": "a registry login",
  "aws-actions/configure-aws-credentials": "AWS credentials",
  "aws-actions/amazon-ecr-login": "an ECR registry login",
  "google-github-actions/auth": "Google Cloud credentials",
  "azure/login": "Azure credentials",
  "azure/docker-login": "a registry login",
};
/** `docker login` (or `podman` / `buildah login`) in a run script, outside a comment. */
const LOGIN_RUN = /(?:^|[\s;&|(])(?:docker|podman|buildah)\s+login\b/m;
const SECRET = /\$\{\{\s*secrets\.([A-Za-z0-9_]+)/g;

const actionOf = (uses: unknown) => (typeof uses === "string" ? (uses.split("@")[0] ?? "").toLowerCase() : "");

/** `permissions:` as GitHub reads it: the job's own, else the workflow's, else the repository default. */
function permissionsHeld(wf: Workflow, job: Record<string, unknown>): string[] {
  const p = "permissions" in job ? job["permissions"] : wf.data["permissions"];
  if (p === undefined) return ["the repository's default GITHUB_TOKEN permissions (no `permissions:` in the job or the workflow), which are read and write unless the repository or organisation set them to read-only"];
  if (typeof p === "string") return p === "read-all" ? ["`permissions: read-all`"] : p === "write-all" ? ["`permissions: write-all`"] : [];
  if (!isRecord(p)) return [];
  return Object.entries(p)
    .filter(([scope, level]) => level !== "none" && !(scope === "contents" && level === "read"))
    .map(([scope, level]) => `\`${scope}: ${String(level)}\``);
}

const secretsIn = (env: unknown): string[] => {
  if (!isRecord(env)) return [];
  return Object.values(env).flatMap((v) => (typeof v === "string" ? [...v.matchAll(SECRET)].map((m) => m[1] ?? "") : []));
};

/** What the job that holds our step (in `text`) holds beyond `contents: read`; empty when nothing. */
export function jobPrivileges(path: string, text: string): { jobKey: string; held: string[] } | undefined {
  const wf = parseWorkflow(path, text);
  if (wf.error) return undefined;
  const ours = findOurStep(wf);
  if (!ours) return undefined;
  const job = jobsOf(wf).find(([k]) => k === ours.jobKey)?.[1] ?? {};
  const held = permissionsHeld(wf, job);
  const secrets = [...new Set([...secretsIn(wf.data["env"]), ...secretsIn(job["env"])])];
  if (secrets.length) held.push(`secrets in the job's environment (${secrets.join(", ")})`);
  stepsOf(job).slice(0, ours.first).forEach((step, i) => {
    const at = `step ${i + 1}, ${stepLabel(step)}`;
    const action = actionOf(step["uses"]);
    const login = LOGIN_ACTIONS[action];
    if (login) held.push(`${login} (${action}, ${at})`);
    const run = typeof step["run"] === "string" ? step["run"].replace(/^[ \t]*#.*$/gm, "") : "";
    if (LOGIN_RUN.test(run)) held.push(`a registry login (\`docker login\`, ${at})`);
    const w = isRecord(step["with"]) ? step["with"] : {};
    if (action === "actions/checkout" && String(w["persist-credentials"]) !== "false") held.push(`a persisted checkout token (actions/checkout without \`persist-credentials: false\`, ${at})`);
  });
  return { jobKey: ours.jobKey, held };
}

/** The plan's note, or undefined when the job holds nothing beyond `contents: read`. */
export function explainPrivileges(path: string, text: string, scanner: string): string | undefined {
  const found = jobPrivileges(path, text);
  if (!found || found.held.length === 0) return undefined;
  return (
    `${path}: the gate step runs ${scanner} (third-party code) in job ${found.jobKey}, which holds more than \`contents: read\`: ${found.held.join("; ")}. ` +
    "Every step of a job can use what the job holds. --isolated-scan scans the image in a job of its own with no write permission and no secrets " +
    "(the build job only saves the image and uploads it as an artifact)."
  );
}

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Write workflows into a scratch git repo (actionlint looks for the repository root). A name with a
 * folder (`.github/actions/relay-security-db/action.yml`) is a path from the root; a bare one is a workflow.
 */
export function workflowRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "relay-lint-"));
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const path = name.includes("/") ? join(dir, name) : join(dir, ".github", "workflows", name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  execFileSync("git", ["init", "-q", dir]);
  return dir;
}

/** actionlint's findings (with shellcheck on run: scripts when it is on PATH), one line each. */
export function actionlint(bin: string, dir: string): string[] {
  const r = spawnSync(bin, ["-format", "{{range $e := .}}{{$e.Filepath}}:{{$e.Line}}:{{$e.Column}}: {{$e.Message}} [{{$e.Kind}}]\n{{end}}"], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0 && r.status !== 1) throw new Error(`actionlint failed: ${r.stderr}`);
  return r.stdout.split("\n").filter(Boolean);
}

/**
 * zizmor's findings, offline, at its strictest persona, on the workflows and the composite actions
 * under .github. Left out: `self-repository` (a `help`), which asks for `uses: $/.github/actions/...`
 * instead of our `./`: GitHub's `$/` (2026-07) is not on GitHub Enterprise Server and actionlint
 * v1.7.12 rejects it ("ref is missing", rhysd/actionlint#711), and what we write must pass actionlint.
 */
export function zizmor(bin: string, dir: string): string[] {
  const r = spawnSync(bin, ["--offline", "--persona=pedantic", "--format=json", ".github"], { cwd: dir, encoding: "utf8" });
  if (r.status === null || r.stdout.trim() === "") throw new Error(`zizmor failed (${r.status}): ${r.stderr}`);
  const results = JSON.parse(r.stdout) as { ident: string; desc: string; locations: { symbolic: { key: { Local?: { given_path: string } } }; concrete: { location: { start_point: { row: number } } } }[] }[];
  return results.filter((f) => f.ident !== "self-repository").map((f) => {
    const loc = f.locations[0];
    return `${loc?.symbolic.key.Local?.given_path ?? "?"}:${(loc?.concrete.location.start_point.row ?? -1) + 1}: ${f.ident}: ${f.desc}`;
  });
}

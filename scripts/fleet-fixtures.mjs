// Fixture clones for `fleet --local`, one per state (current, drift, conflict, not set up, error), made
// from the bundled example: set up once with the built CLI, then copied. Shared by the fleet tests and
// `npm run bench`. Each copy is a real git repository with its own origin (acme/<name>).
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleRepo, ROOT } from "./example-repo.mjs";

export const STATES = ["current", "drift", "conflict", "not set up", "error"];
const cli = join(ROOT, "dist", "cli.js");
const gitIn = (dir, ...args) => execFileSync("git", ["-C", dir, "-c", "user.name=example", "-c", "user.email=example@example.com", ...args], { encoding: "utf8" });

/** How a set-up clone is brought into each state (what a user or an older version left behind). */
const MAKE = {
  current: () => {},
  // The recorded answers moved on (as after a hand edit of the state, or a new release's render): a re-run changes files.
  drift: (dir) => editJson(join(dir, ".github/relay-security.json"), (s) => ({ ...s, answers: { ...s.answers, severity: "CRITICAL" } })),
  // An upgrade left conflict markers in a file we manage.
  conflict: (dir) => editText(join(dir, ".github/workflows/security-scan.yml"), (t) => t.replace("name: Security scan\n", "<<<<<<< yours\nname: Security scan\n=======\nname: Rescan\n>>>>>>> relay-security\n")),
  // A state file that does not parse.
  error: (dir) => writeFileSync(join(dir, ".github/relay-security.json"), "{ not json\n"),
};

function editJson(p, f) {
  writeFileSync(p, `${JSON.stringify(f(JSON.parse(readFileSync(p, "utf8"))), null, 2)}\n`);
}
function editText(p, f) {
  const before = readFileSync(p, "utf8");
  const after = f(before);
  if (after === before) throw new Error(`fleet fixture: the edit of ${p} matched nothing`);
  writeFileSync(p, after);
}

/** `count` clones under one temp dir, states in turn (or all `only`); returns [{dir, name, state}]. */
export function fleetFixtures(count, opts = {}) {
  const root = mkdtempSync(join(tmpdir(), "relay-fleet-"));
  const plain = exampleRepo("relay-fleet-base-").dir;
  const setUp = join(root, ".base-set-up");
  cpSync(plain, setUp, { recursive: true });
  execFileSync(process.execPath, [cli, "--yes", setUp], { env: { ...process.env, CI: "true" }, stdio: "ignore" });
  gitIn(setUp, "add", "-A");
  gitIn(setUp, "commit", "-q", "-m", "relay-security");
  const out = [];
  for (let i = 0; i < count; i++) {
    const state = opts.only ?? STATES[i % STATES.length];
    const name = `svc-${String(i).padStart(3, "0")}-${state.replace(/ /g, "-")}`;
    const dir = join(root, name);
    cpSync(state === "not set up" ? plain : setUp, dir, { recursive: true });
    gitIn(dir, "remote", "set-url", "origin", `https://github.com/acme/${name}.git`);
    MAKE[state]?.(dir);
    if (state !== "current" && state !== "not set up") {
      gitIn(dir, "add", "-A");
      gitIn(dir, "commit", "-q", "-m", state);
    }
    out.push({ dir, name, state });
  }
  rmSync(plain, { recursive: true, force: true });
  return { root, repos: out };
}

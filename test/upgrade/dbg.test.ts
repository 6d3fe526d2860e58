import { it } from "vitest";
import { runCli } from "../support/cli.js";
import { makeRepo } from "../support/repo.js";
import { commitAll, setupPreviousRelease, read, write } from "./support.js";
import { USER_EDITS } from "./edits.js";
import { execFileSync } from "node:child_process";
it("dbg", async () => {
  const dir = makeRepo("example");
  await setupPreviousRelease(dir);
  for (const [path, change] of Object.entries(USER_EDITS)) write(dir, path, change(read(dir, path)));
  commitAll(dir, "x");
  const r = runCli(["--yes", "--schedule", "weekly", dir]);
  console.log(r.code, r.stdout.split("\n").filter(l => /^  /.test(l)).join("\n"));
  commitAll(dir, "y");
  const s = runCli(["--yes", "--dry-run", dir]);
  console.log(s.code, s.stdout.split("\n").filter(l => /^[-+]/.test(l)).join("\n"));
});

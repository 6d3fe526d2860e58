// The bundled example service copied to a temp dir as a user's clone would be: git init, an origin
// remote on GitHub, one commit. Shared by `npm run example` and `npm run bench`.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function exampleRepo(prefix = "relay-security-example-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(ROOT, "examples", "hello-service"), dir, { recursive: true });
  const git = (...args) => execFileSync("git", ["-C", dir, "-c", "user.name=example", "-c", "user.email=example@example.com", ...args], { encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("remote", "add", "origin", "https://github.com/acme/hello-service.git");
  git("add", "-A");
  git("commit", "-q", "-m", "hello-service");
  return { dir, git };
}

import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/** Every entry under dir (except .git) with its kind and bytes: links by target, so a replaced link shows. */
export function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      if (name === ".git") continue;
      const r = rel ? `${rel}/${name}` : name;
      const s = lstatSync(join(dir, r));
      if (s.isSymbolicLink()) out.set(r, `link -> ${readlinkSync(join(dir, r))}`);
      else if (s.isDirectory()) {
        out.set(r, "dir");
        walk(r);
      } else if (s.isFile()) out.set(r, readFileSync(join(dir, r)).toString("base64"));
      else out.set(r, "special");
    }
  };
  walk("");
  return out;
}

import type { DockerfileInfo } from "../types.js";

interface Stage {
  image: string;
  name?: string;
  lines: string[];
}

/** Split a Dockerfile into stages, joining `\` continuations and dropping comments. */
function stages(text: string): Stage[] {
  const logical = text
    .replace(/\r\n/g, "\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const out: Stage[] = [];
  for (const line of logical) {
    const from = line.match(/^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i);
    if (from?.[1]) out.push({ image: from[1], name: from[2]?.toLowerCase(), lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

/** `golang:1.23.4-alpine@sha256:...` -> `1.23.4`; ARG defaults like `golang:${GO_VERSION}` resolved when plain. */
function goVersionOf(image: string, args: Map<string, string>): string | undefined {
  const resolved = image.replace(/\$\{?(\w+)\}?/g, (_, name: string) => args.get(name) ?? `$${name}`);
  const m = resolved.match(/(?:^|\/)golang:(\d+\.\d+(?:\.\d+)?)/);
  return m?.[1];
}

/**
 * What a Dockerfile tells us: the final stage's base image (what Trivy's OS scan sees), the builder's Go
 * version (the standard library compiled into the binary comes from it, not from go.mod), and whether the
 * final stage only copies a prebuilt binary from the build context (goreleaser style: it cannot be built
 * without building that binary first).
 */
export function parseDockerfile(path: string, text: string): DockerfileInfo {
  const args = new Map<string, string>();
  for (const m of text.matchAll(/^\s*ARG\s+(\w+)=("?)([^\s"]+)\2\s*$/gim)) if (m[1] && m[3]) args.set(m[1], m[3]);
  const all = stages(text);
  const final = all.at(-1);
  const builder = all.find((s) => goVersionOf(s.image, args));
  const stageNames = new Set(all.map((s) => s.name).filter(Boolean));
  const copies = final?.lines.filter((l) => /^(COPY|ADD)\s/i.test(l)) ?? [];
  const copiesFromStage = copies.some((l) => /--from=/i.test(l));
  const hasBuild = final?.lines.some((l) => /^RUN\s.*\bgo\s+build\b/i.test(l)) ?? false;
  const finalIsGo = final ? goVersionOf(final.image, args) !== undefined || stageNames.has(final.image.toLowerCase()) : false;
  return {
    path,
    finalBaseImage: final?.image,
    builderGoVersion: builder ? goVersionOf(builder.image, args) : undefined,
    copiesPrebuiltBinary: final !== undefined && all.length === 1 && !finalIsGo && !hasBuild && copies.length > 0 && !copiesFromStage,
  };
}

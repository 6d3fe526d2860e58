import { createHash } from "node:crypto";

/**
 * The digest a registry serves for `image:tag`, over the OCI distribution API (`GET /v2/<name>/manifests/<tag>`),
 * anonymously, with the bearer-token challenge Docker Hub, ghcr.io and most registries use. The digest is
 * the sha256 of the manifest bytes we received (a multi-platform image's index, so every platform keeps
 * working, as Scorecard's remediation suggests); a `Docker-Content-Digest` header that disagrees is refused.
 */

const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export type Fetch = typeof globalThis.fetch;

/** Docker's reference rules: no registry host means Docker Hub, and a one-part name is under library/. */
export function registryOf(ref: string): { host: string; name: string; tag: string } {
  const at = ref.split("@")[0] ?? ref;
  const parts = at.split("/");
  const first = parts[0] ?? "";
  const hasHost = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const host = hasHost ? first : "registry-1.docker.io";
  const path = (hasHost ? parts.slice(1) : parts).join("/");
  const colon = path.lastIndexOf(":");
  const [repo, tag] = colon > path.lastIndexOf("/") ? [path.slice(0, colon), path.slice(colon + 1)] : [path, "latest"];
  const name = !hasHost && !repo.includes("/") ? `library/${repo}` : repo;
  return { host: host === "docker.io" || host === "index.docker.io" ? "registry-1.docker.io" : host, name, tag };
}

/** Plain HTTP only for a registry on this machine, as Docker allows; every other one over HTTPS. */
const scheme = (host: string) => (/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host) ? "http" : "https");

function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-z_]+)="([^"]*)"/gi)) params[(m[1] as string).toLowerCase()] = m[2] as string;
  return params["realm"] ? params : undefined;
}

export async function resolveDigest(ref: string, opts: { fetch?: Fetch; timeoutMs?: number } = {}): Promise<{ digest: string } | { error: string }> {
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const timeout = opts.timeoutMs ?? 10_000;
  const { host, name, tag } = registryOf(ref);
  const url = `${scheme(host)}://${host}/v2/${name}/manifests/${encodeURIComponent(tag)}`;
  try {
    let res = await fetchFn(url, { headers: { accept: ACCEPT }, signal: AbortSignal.timeout(timeout) });
    const challenge = res.status === 401 ? bearerChallenge(res.headers.get("www-authenticate")) : undefined;
    if (challenge) {
      const realm = new URL(challenge["realm"] as string);
      if (challenge["service"]) realm.searchParams.set("service", challenge["service"]);
      realm.searchParams.set("scope", challenge["scope"] ?? `repository:${name}:pull`);
      const tokenRes = await fetchFn(realm, { signal: AbortSignal.timeout(timeout) });
      if (!tokenRes.ok) return { error: `${host} refused an anonymous pull token (HTTP ${tokenRes.status})` };
      const body = (await tokenRes.json()) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token;
      if (!token) return { error: `${host} sent no token` };
      res = await fetchFn(url, { headers: { accept: ACCEPT, authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeout) });
    }
    if (!res.ok) return { error: `${host} answered HTTP ${res.status} for ${name}:${tag}` };
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    const claimed = res.headers.get("docker-content-digest");
    if (claimed && claimed !== digest) return { error: `${host} sent a manifest whose sha256 (${digest}) is not the digest it claims (${claimed}); not pinned` };
    return { digest };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    return { error: `${host} did not answer (${e.cause?.code ?? e.cause?.message ?? e.message})` };
  }
}

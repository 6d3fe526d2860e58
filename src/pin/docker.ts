import type { Failed } from "./remote.js";

/** Looks up the digest a registry serves for `image:tag` today. */
export type DigestLookup = (image: string, tag: string) => Promise<string | Failed>;

const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** `alpine` -> Docker Hub's `library/alpine`; `ghcr.io/o/i` -> ghcr.io. Loopback registries speak plain HTTP, as Docker allows. */
export function registryOf(image: string): { base: string; name: string } {
  const [first, ...rest] = image.split("/");
  const host = rest.length > 0 && first && (first.includes(".") || first.includes(":") || first === "localhost") ? first : undefined;
  if (!host) return { base: "https://registry-1.docker.io", name: rest.length ? image : `library/${image}` };
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+)(:\d+)?$/.test(host);
  return { base: `${loopback ? "http" : "https"}://${host}`, name: rest.join("/") };
}

/**
 * The registry's answer for a tag (the `Docker-Content-Digest` of a HEAD on the manifest; the index
 * digest for a multi-platform image, which is what `docker pull image@digest` wants). An anonymous
 * bearer token is fetched from the realm the registry names, as `docker pull` does; no credentials.
 */
export function registryDigests(fetcher: typeof fetch = fetch): DigestLookup {
  const cache = new Map<string, Promise<string | Failed>>();
  const lookup = async (image: string, tag: string): Promise<string | Failed> => {
    const { base, name } = registryOf(image);
    const url = `${base}/v2/${name}/manifests/${tag}`;
    try {
      let r = await fetcher(url, { method: "HEAD", headers: { accept: ACCEPT }, signal: AbortSignal.timeout(30_000) });
      if (r.status === 401) {
        const token = await anonymousToken(fetcher, r.headers.get("www-authenticate") ?? "");
        if (typeof token !== "string") return token;
        r = await fetcher(url, { method: "HEAD", headers: { accept: ACCEPT, authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
      }
      const digest = r.headers.get("docker-content-digest") ?? "";
      if (!r.ok || !/^sha256:[0-9a-f]{64}$/.test(digest)) return { error: `${url}: ${r.ok ? "no Docker-Content-Digest in the answer" : `HTTP ${r.status}`}` };
      return digest;
    } catch (error) {
      return { error: `${url}: ${(error as Error).message}` };
    }
  };
  return (image, tag) => {
    const key = `${image}:${tag}`;
    let p = cache.get(key);
    if (!p) cache.set(key, (p = lookup(image, tag)));
    return p;
  };
}

async function anonymousToken(fetcher: typeof fetch, challenge: string): Promise<string | Failed> {
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (!/^bearer /i.test(challenge) || !params["realm"]) return { error: `the registry wants credentials (${challenge || "no challenge"})` };
  const u = new URL(params["realm"]);
  for (const k of ["service", "scope"]) if (params[k]) u.searchParams.set(k, params[k] as string);
  const r = await fetcher(u, { signal: AbortSignal.timeout(30_000) });
  const body = (r.ok ? await r.json() : {}) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  return token ? token : { error: `no anonymous token from ${u.origin} (HTTP ${r.status})` };
}

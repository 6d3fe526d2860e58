import { resolveDigest } from "../digests/registry.js";
import type { Failed } from "./remote.js";

/** Looks up the digest a registry serves for `image:tag` today. */
export type DigestLookup = (image: string, tag: string) => Promise<string | Failed>;

/**
 * The registry's digest for a tag, through the one registry client (`src/digests/registry.ts`, which
 * `--pin-base-images` uses too): the sha256 of the manifest it serves (a multi-platform image's index,
 * which is what `docker pull image@digest` wants), a `Docker-Content-Digest` that disagrees refused; an
 * anonymous bearer token as `docker pull` gets one, no credentials. Cached per run.
 */
export function registryDigests(fetcher: typeof fetch = fetch): DigestLookup {
  const cache = new Map<string, Promise<string | Failed>>();
  const lookup = async (image: string, tag: string): Promise<string | Failed> => {
    const r = await resolveDigest(`${image}:${tag}`, { fetch: fetcher, timeoutMs: 30_000 });
    return "digest" in r ? r.digest : { error: `docker://${image}:${tag}: ${r.error}` };
  };
  return (image, tag) => {
    const key = `${image}:${tag}`;
    let p = cache.get(key);
    if (!p) cache.set(key, (p = lookup(image, tag)));
    return p;
  };
}

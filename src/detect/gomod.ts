/** Module path and the `go` / `toolchain` lines of a go.mod. */
export function parseGoMod(text: string): { modulePath?: string; goVersion?: string; toolchain?: string } {
  const line = (re: RegExp) => text.match(re)?.[1];
  const modulePath = line(/^\s*module\s+"?([^\s"/]+(?:\/[^\s"]+)*)"?\s*(?:\/\/.*)?$/m);
  return {
    modulePath,
    goVersion: line(/^\s*go\s+(\d+\.\d+(?:\.\d+)?(?:rc\d+)?)\s*(?:\/\/.*)?$/m),
    toolchain: line(/^\s*toolchain\s+(go\S+)\s*(?:\/\/.*)?$/m),
  };
}

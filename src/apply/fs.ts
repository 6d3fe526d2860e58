import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmdirSync, rmSync, writeSync } from "node:fs";

/**
 * The few file-system calls the writer makes, injectable through `Deps.fs` so tests can fail any one of
 * them (a full disk part-way through a temp file, a rename that fails) without a real full disk.
 */
export interface WriteFs {
  /** Create `path` (never an existing one: `wx`), write all of `data`, fsync, close. */
  writeNew(path: string, data: Buffer, mode?: number): void;
  rename(from: string, to: string): void;
  /** Remove a file; no error when it is gone. */
  remove(path: string): void;
  mkdir(path: string): void;
  /** Remove an empty folder we made. */
  rmdir(path: string): void;
}

export const nodeWriteFs: WriteFs = {
  writeNew(path, data, mode) {
    const fd = openSync(path, "wx", mode ?? 0o666);
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
      // Durable before the journal points at it: a crash after the journal is written can roll forward.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (from, to) => renameSync(from, to),
  remove: (path) => rmSync(path, { force: true }),
  mkdir: (path) => mkdirSync(path),
  rmdir: (path) => rmdirSync(path),
};

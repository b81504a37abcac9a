/**
 * Decides, from the first 100 bytes and without opening SQLite, whether a
 * state file may be opened read-write. SQLite would happily turn any SQLite
 * file into ours (adding tables, a -wal file) and would report a pickle only
 * after creating side files, so nothing that is not recognisably ours reaches it.
 * @module
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { APPLICATION_ID, SCHEMA_VERSION } from "./schema.ts";

/** Refusal to use a state file. The message names the file and says what to do. */
export class StateFileError extends Error {
  override name = "StateFileError";
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type FileVerdict =
  /** Nothing there (or a zero-byte file): a new state file is created. */
  | { kind: "new"; emptyFile: boolean }
  | { kind: "ours"; schemaVersion: number };

const SQLITE_MAGIC = "SQLite format 3\0";
/** Python pickles of protocol 2 and later start with PROTO (0x80). */
const PICKLE_PROTO = 0x80;

const ADVICE = "luigid never overwrites it: move it away or pass another --state-path";

export function inspectStateFile(path: string): FileVerdict {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new StateFileError(path, `state file ${path} is not a regular file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof StateFileError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "new", emptyFile: false };
    throw new StateFileError(path, `cannot read state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (size === 0) return { kind: "new", emptyFile: true };

  const header = Buffer.alloc(100);
  let read: number;
  try {
    const fd = openSync(path, "r");
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new StateFileError(path, `cannot read state file ${path}: ${(error as Error).message}`, { cause: error });
  }

  if (header[0] === PICKLE_PROTO) {
    throw new StateFileError(path, `state file ${path} is a Luigi pickle, which luigid cannot read; ${ADVICE}`);
  }
  if (read < header.length || header.toString("latin1", 0, 16) !== SQLITE_MAGIC) {
    throw new StateFileError(path, `state file ${path} is not a luigid state file (not an SQLite database); ${ADVICE}`);
  }
  const applicationId = header.readInt32BE(68);
  if (applicationId !== APPLICATION_ID) {
    throw new StateFileError(
      path,
      `state file ${path} is an SQLite database of another application (application_id ${applicationId}); ${ADVICE}`,
    );
  }
  const schemaVersion = header.readInt32BE(60);
  if (schemaVersion > SCHEMA_VERSION) {
    throw new StateFileError(
      path,
      `state file ${path} has schema version ${schemaVersion}, written by a newer luigid (this one knows up to ${SCHEMA_VERSION}); upgrade luigid or pass another --state-path`,
    );
  }
  return { kind: "ours", schemaVersion };
}

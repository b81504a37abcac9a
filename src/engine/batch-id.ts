/**
 * The id of a batch handed out by get_work (rpc.md §6.4): lowercase hex MD5 of
 * the member ids joined with "|". Pure (hashing is computation, not I/O).
 * @module
 */
import { createHash } from "node:crypto";

export function batchIdOf(memberIds: readonly string[]): string {
  return createHash("md5").update(memberIds.join("|"), "utf8").digest("hex");
}

/**
 * Preloaded by bunfig.toml: a top-level afterAll in a preload runs once, after
 * the last test file. Binaries a failed test left running are killed first, so
 * their directories can go.
 */
import { afterAll } from "bun:test";
import { killLeftoverBinaries } from "./binary.ts";
import { removeLeftoverTempDirs } from "./temp.ts";

afterAll(() => {
  killLeftoverBinaries();
  removeLeftoverTempDirs();
});

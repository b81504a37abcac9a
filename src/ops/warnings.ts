/**
 * Startup warnings about exposure, printed by the server's startup log.
 * @module
 */
import type { Config } from "../config/types.ts";
import { authEnabled } from "./auth.ts";

export interface ListenAddress {
  /** `--address`; null/empty means every interface. */
  address: string | null;
  /** `--unix-socket`; when set, no TCP listener exists. */
  unixSocket?: string | null;
}

const ALL_INTERFACES = new Set(["", "0.0.0.0", "::", "[::]", "*"]);

export function listensOnAllInterfaces(listen: ListenAddress): boolean {
  if (listen.unixSocket) return false;
  return listen.address === null || ALL_INTERFACES.has(listen.address.trim());
}

export function authWarnings(config: Config, listen: ListenAddress): string[] {
  const warnings: string[] = [];
  const { auth } = config;
  if (!authEnabled(auth) && listensOnAllInterfaces(listen)) {
    warnings.push(
      "listening on all interfaces without authentication: anyone who can reach this port can change the scheduler " +
        "(set [auth] token or username/password, or --address 127.0.0.1)",
    );
  }
  if (auth.username && !auth.password) warnings.push("[auth] username is set without a password: basic credentials can never match");
  if (auth.token !== null && auth.token.length > 0 && auth.token.length < 16) warnings.push("[auth] token is shorter than 16 characters");
  if (authEnabled(auth) && config.cors.enabled && config.cors.allowAnyOrigin) {
    warnings.push("[cors] allow_any_origin with authentication on: any web page may send changes with a browser's stored credentials");
  }
  return warnings;
}

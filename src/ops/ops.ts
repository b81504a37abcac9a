/**
 * The operations features as one runtime the server installs at startup:
 * metrics (listener + RPC observer), auth decisions, failure e-mails. Every
 * unsupported option throws here, so startup fails with a clear message.
 * @module
 */
import type { Config } from "../config/types.ts";
import { type Logger, stderrLogger } from "../lib/log.ts";
import { READ_ONLY_METHODS } from "../rpc/table.ts";
import type { SchedulerService } from "../rpc/service.ts";
import { Authenticator } from "./auth.ts";
import { EmailNotifier } from "./email/email-listener.ts";
import { Mailer, type Transport } from "./email/mailer.ts";
import { type Metrics, createMetrics } from "./metrics/metrics.ts";

export interface Ops {
  metrics: Metrics;
  auth: Authenticator;
  email: EmailNotifier;
}

export interface OpsOptions {
  /** The server's log; e-mail lines go to `luigi-interface` under it. */
  log?: Logger;
  /** Luigi's tty rule for e-mail; defaults to whether stdout is a terminal. */
  isTty?: boolean;
  /** E-mail transport; defaults to SMTP with `[smtp]`. */
  transport?: Transport;
}

/** Creates the ops runtime and attaches its listeners and observer to the service. */
export function installOps(service: SchedulerService, config: Config, options: OpsOptions = {}): Ops {
  const log = (options.log ?? stderrLogger).child("luigi-interface");
  const metrics = createMetrics(config, () => service.clock.now(), log);
  metrics.bindEngine(service.engine);
  const mailer = new Mailer({
    email: config.email,
    smtp: config.smtp,
    log,
    isTty: options.isTty ?? Boolean(process.stdout.isTTY),
    transport: options.transport,
  });
  const email = new EmailNotifier(config, mailer, service.clock, log);
  const auth = new Authenticator(config.auth, config.cors, new Set<string>(READ_ONLY_METHODS));
  service.addListener(metrics.listener);
  service.observeCalls(metrics.observeCall);
  service.addListener(email);
  return { metrics, auth, email };
}

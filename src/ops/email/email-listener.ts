/**
 * The e-mails the daemon sends, driven by engine events (rpc.md §10.1–10.2):
 * with `batch_emails` on, failures, disables and scheduling failures are
 * batched and sent when `email_interval` has run out (checked after every
 * engine change, which includes the 60 s prune) and at shutdown; with it off,
 * an auto-disable sends one e-mail at once.
 * @module
 */
import type { Config } from "../../config/types.ts";
import type { ChangeSet, EngineEvent } from "../../engine/events.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/log.ts";
import type { EngineListener } from "../../rpc/service.ts";
import { displayName, pythonStr } from "../../engine/queries/serialise.ts";
import { BatchNotifier } from "./batch-notifier.ts";
import type { Mailer } from "./mailer.ts";

/** Startup check: only SMTP is implemented. */
export function checkEmailConfig(config: Config): void {
  if (config.email.format !== "none" && config.email.method !== "smtp") {
    throw new Error(`[email] method = ${config.email.method} is not supported by luigid; use method = smtp (or format = none to send no e-mail)`);
  }
}

export class EmailNotifier implements EngineListener {
  readonly name = "email";
  private readonly batcher: BatchNotifier | null;

  constructor(
    private readonly config: Config,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    checkEmailConfig(config);
    this.batcher = config.engine.batchEmails
      ? new BatchNotifier(config.batchEmail, config.email.format, config.email.receivers, pythonStr, clock.now())
      : null;
  }

  onChange(events: readonly EngineEvent[], _changes: ChangeSet): void {
    for (const event of events) this.handle(event);
    if (this.batcher?.due(this.clock.now())) this.sendBatch();
  }

  private handle(event: EngineEvent): void {
    const batcher = this.batcher;
    if (event.type === "auto_disabled" && !batcher) {
      const id = event.task.id;
      this.mailer.send(
        `Luigi Scheduler: DISABLED ${id} due to excessive failures`,
        `${id} failed ${event.retryCount} times in the last ${event.disableWindow} seconds, so it is being disabled for ${event.disablePersist} seconds`,
        this.config.email.receivers,
      );
      return;
    }
    if (!batcher) return;
    if (event.type === "failure_reported") {
      const name = displayName(event.task);
      batcher.addFailure(name, event.task.family, event.unbatchedParams, event.expl ?? "None", event.owners);
      if (event.disabled) batcher.addDisable(name, event.task.family, event.unbatchedParams, event.owners);
    } else if (event.type === "scheduling_failure") {
      batcher.addSchedulingFailure(event.taskName, event.family, event.unbatchedParams, event.expl, event.owners);
    }
  }

  private sendBatch(): void {
    if (!this.batcher) return;
    for (const email of this.batcher.drain(this.clock.now())) this.mailer.send(email.subject, email.body, [email.recipient]);
  }

  /** Shutdown: what is pending goes out now, and we wait for the sends to finish. */
  async close(): Promise<void> {
    try {
      this.sendBatch();
    } catch (error) {
      this.log.error("Failed sending batch e-mails", error);
    }
    await this.mailer.settled();
  }
}

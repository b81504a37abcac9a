/**
 * The e-mail contract with the real engine: RPCs in, messages out (captured
 * at the transport), for both the batched and the immediate mode.
 */
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/lib/log.ts";
import { EmailNotifier } from "../../src/ops/email/email-listener.ts";
import { Mailer } from "../../src/ops/email/mailer.ts";
import { createTestApp } from "../support/app.ts";
import { parseMail } from "./smtp-sink.ts";

const WORKER = "Worker(salt=3, workers=1, host=h, username=u, pid=3)";

function setup(batchEmails: boolean) {
  const t = createTestApp({
    engine: { batchEmails },
    config: { email: { receivers: ["ops@example.com"], sender: "luigid@example.com", forceSend: true } },
  });
  const sent: Array<{ to: readonly string[]; subject: string; body: string }> = [];
  const mailer = new Mailer({
    email: t.config.email,
    smtp: t.config.smtp,
    log: silentLogger,
    isTty: false,
    transport: async (envelope, message) => {
      const mail = parseMail(message);
      sent.push({ to: envelope.to, subject: mail.headers.get("subject") ?? "", body: mail.body });
    },
  });
  const notifier = new EmailNotifier(t.config, mailer, t.clock, silentLogger);
  t.service.addListener(notifier);
  const task = (status: string, extra: Record<string, unknown> = {}) => ({
    worker: WORKER, task_id: "Load_x", status, family: "Load", params: { day: "2026-01-01", secret: "s" }, param_visibilities: { secret: 1 },
    deps: [], runnable: true, expl: status === "FAILED" ? JSON.stringify("Traceback\nIOError: disk full") : null, owners: ["dev@example.com"],
    retry_policy_dict: { retry_count: 2, disable_hard_timeout: null, disable_window: 3600 }, ...extra,
  });
  return { t, sent, notifier, task, mailer };
}

describe("e-mails driven by the engine", () => {
  test("immediate mode: the failure that auto-disables a task mails the receivers once", async () => {
    const { t, sent, task, mailer } = setup(false);
    await t.rpc("add_task", task("PENDING"));
    await t.rpc("add_task", task("FAILED"));
    await mailer.settled();
    expect(sent).toEqual([]);
    t.clock.advance(1);
    await t.rpc("add_task", task("FAILED"));
    await mailer.settled();
    expect(sent).toEqual([
      {
        to: ["ops@example.com"],
        subject: "Luigi Scheduler: DISABLED Load_x due to excessive failures",
        body: "Load_x failed 2 times in the last 3600 seconds, so it is being disabled for 86400 seconds",
      },
    ]);
  });

  test("batch mode: failures and the disable are grouped by unbatched params, mailed after the interval on the prune", async () => {
    const { t, sent, task, mailer } = setup(true);
    await t.rpc("add_task", task("PENDING"));
    await t.rpc("add_task", task("FAILED"));
    t.clock.advance(1);
    await t.rpc("add_task", task("FAILED"));
    await t.service.prune();
    await mailer.settled();
    expect(sent).toEqual([]);
    t.clock.advance(3600);
    await t.service.prune();
    await mailer.settled();
    const ops = sent.find((m) => m.to[0] === "ops@example.com");
    expect(ops?.subject).toBe("Luigi: 2 failures, 1 disable in the last 60 minutes");
    // The key keeps every param in arrival order (Luigi's unbatched_params); the explanation was JSON-decoded.
    expect(ops?.body).toBe("- Load(day=2026-01-01, secret=s) (2 failures, 1 disable)\n\n      Traceback\n      IOError: disk full");
    expect(sent.find((m) => m.to[0] === "dev@example.com")?.subject).toBe("Luigi: Your tasks have 2 failures, 1 disable in the last 60 minutes");
  });
});

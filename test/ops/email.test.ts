import { afterEach, describe, expect, test } from "bun:test";
import type { EngineEvent, TaskFacts } from "../../src/engine/events.ts";
import { FakeClock } from "../../src/lib/clock.ts";
import { type Logger, createLogger } from "../../src/lib/log.ts";
import { BatchNotifier } from "../../src/ops/email/batch-notifier.ts";
import { EmailNotifier } from "../../src/ops/email/email-listener.ts";
import { Mailer } from "../../src/ops/email/mailer.ts";
import { encodeData, envelopeAddress, sendMail } from "../../src/ops/email/smtp.ts";
import { pythonStr } from "../../src/engine/queries/serialise.ts";
import { type TestAppOptions, testConfig } from "../support/app.ts";

type ConfigOverrides = NonNullable<TestAppOptions["config"]>;
import { type SmtpSink, parseMail, startSmtpSink } from "./smtp-sink.ts";

const changes = { tasks: new Set<string>(), deletedTaskSeqs: [], workers: new Set<string>(), meta: false };

function facts(family: string, params: Record<string, unknown> = {}, over: Partial<TaskFacts> = {}): TaskFacts {
  return {
    id: `${family}_x`, family, params, paramVisibilities: {}, status: "FAILED", time: 0, updated: 0, timeRunning: null,
    workerRunning: null, priority: 0, resources: {}, ...over,
  };
}

function failure(task: TaskFacts, expl: string, extra: Partial<Extract<EngineEvent, { type: "failure_reported" }>> = {}): EngineEvent {
  return { type: "failure_reported", at: 0, task, worker: "w", expl, owners: [], unbatchedParams: task.params, disabled: false, ...extra };
}

function recordingLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger("test", { sink: (line) => lines.push(line), level: "DEBUG" }), lines };
}

let sink: SmtpSink | null = null;
afterEach(async () => {
  await sink?.close();
  sink = null;
});

describe("batch e-mail composition (rpc.md §10.1)", () => {
  const notifier = (over: Partial<ConstructorParameters<typeof BatchNotifier>[0]> = {}, format: "plain" | "html" = "plain") =>
    new BatchNotifier({ ...testConfig().batchEmail, ...over }, format, ["ops@example.com"], pythonStr, 0);

  test("groups sharing an explanation are listed together, most failures first", () => {
    const bn = notifier();
    bn.addFailure("A(a=1)", "A", { a: "1" }, "err1", []);
    bn.addFailure("A(a=1)", "A", { a: "1" }, "err1", []);
    bn.addFailure("C()", "C", {}, "err2", []);
    bn.addDisable("C()", "C", {}, []);
    bn.addFailure("B(b=2)", "B", { b: "2" }, "err1", []);
    const [mail, ...more] = bn.drain(0);
    expect(more).toEqual([]);
    expect(mail).toEqual({
      recipient: "ops@example.com",
      subject: "Luigi: 4 failures, 1 disable in the last 60 minutes",
      body: "- A(a=1) (2 failures)\n  B(b=2) (1 failure)\n\n      err1\n\n- C() (1 failure, 1 disable)\n\n      err2",
    });
    expect(bn.pending).toBe(false);
  });

  test("batch modes pick the key; unbatched params keep their arrival order", () => {
    const family = notifier({ batchMode: "family" });
    family.addFailure("T(a=5)", "T", { a: 5 }, "e", []);
    family.addFailure("T(a=6)", "T", { a: 6 }, "e", []);
    expect(family.drain(0)[0]?.body).toBe("- T (2 failures)\n\n      e");
    const params = notifier();
    params.addFailure("T(a=5, b=x)", "T", { b: "x", a: 5, c: null }, "e", []);
    expect(params.drain(0)[0]?.body).toStartWith("- T(b=x, a=5, c=None) (1 failure)");
    const all = notifier({ batchMode: "all" });
    all.addSchedulingFailure("T(a=5)", "T", { a: 5 }, "cannot schedule", []);
    expect(all.drain(0)[0]).toMatchObject({ subject: "Luigi: 1 scheduling failure in the last 60 minutes", body: "- T(a=5) (1 scheduling failure)\n\n      cannot schedule" });
  });

  test("last N distinct explanations, each cut to its last lines; owners get their own mail", () => {
    const bn = notifier({ errorMessages: 2, errorLines: 2 });
    bn.addFailure("A()", "A", {}, "one\ntwo\nthree", ["dev@example.com"]);
    bn.addFailure("A()", "A", {}, "x", ["dev@example.com"]);
    bn.addFailure("A()", "A", {}, "one\ntwo\nthree", []);
    const mails = bn.drain(0);
    expect(mails.map((m) => m.recipient)).toEqual(["ops@example.com", "dev@example.com"]);
    expect(mails[0]?.body).toBe("- A() (3 failures)\n\n      x\n\n      two\n      three");
    expect(mails[1]).toMatchObject({ subject: "Luigi: Your tasks have 2 failures in the last 60 minutes", body: "- A() (2 failures)\n\n      two\n      three\n\n      x" });
  });

  test("html format wraps in ul/li/pre and escapes", () => {
    const bn = notifier({}, "html");
    bn.addFailure("A(x=<b>)", "A", { x: "<b>" }, "bad <script>", []);
    expect(bn.drain(0)[0]?.body).toBe("<ul>\n<li>A(x=&lt;b&gt;) (1 failure)\n<pre>bad &lt;script&gt;</pre>\n</ul>");
  });
});

describe("SMTP client", () => {
  test("dot-stuffing and CRLF", () => {
    expect(encodeData("a\n.b\n..c\n")).toBe("a\r\n..b\r\n...c\r\n.\r\n");
  });

  test("envelope addresses: display names stripped as smtplib does, command smuggling refused", () => {
    expect(envelopeAddress("Luigi Scheduler <luigi@example.com>")).toBe("luigi@example.com");
    expect(envelopeAddress(" ops@example.com ")).toBe("ops@example.com");
    expect(() => envelopeAddress("a@x>\r\nRCPT TO:<evil@x")).toThrow("invalid e-mail address");
    expect(() => envelopeAddress("a b@x")).toThrow("invalid e-mail address");
  });

  test("EHLO, AUTH PLAIN, envelope and DATA reach a loopback server", async () => {
    sink = await startSmtpSink({ authMechanisms: ["PLAIN", "LOGIN"] });
    const smtp = { ...testConfig().smtp, host: "127.0.0.1", port: sink.port, username: "u", password: "p w", localHostname: "me.example" };
    await sendMail(smtp, { from: "Luigi <luigi@example.com>", to: ["a@example.com", "b@example.com"] }, "Subject: hi\r\n\r\n.leading dot\r\nend\r\n");
    const [mail] = await sink.waitFor(1);
    expect(mail).toEqual({ from: "luigi@example.com", to: ["a@example.com", "b@example.com"], data: "Subject: hi\r\n\r\n.leading dot\r\nend", auth: "PLAIN u:p w" });
    expect(sink.commands[0]).toBe("EHLO me.example");
  });

  test("AUTH LOGIN when PLAIN is not offered, HELO when EHLO is refused", async () => {
    sink = await startSmtpSink({ authMechanisms: ["LOGIN"] });
    const smtp = { ...testConfig().smtp, host: "127.0.0.1", port: sink.port, username: "u", password: "pw" };
    await sendMail(smtp, { from: "f@x", to: ["t@x"] }, "x");
    expect((await sink.waitFor(1))[0]?.auth).toBe("LOGIN u:pw");
    await sink.close();
    sink = await startSmtpSink({ ehlo: false });
    await sendMail({ ...smtp, port: sink.port, username: null }, { from: "f@x", to: ["t@x"] }, "x");
    await sink.waitFor(1);
    expect(sink.commands.slice(0, 2)).toEqual(["EHLO localhost", "HELO localhost"]);
  });

  test("STARTTLS when offered (then EHLO again and AUTH inside TLS); no_tls keeps it plain; ssl speaks TLS at once", async () => {
    sink = await startSmtpSink({ starttls: true, authMechanisms: ["PLAIN"] });
    const smtp = { ...testConfig().smtp, host: "127.0.0.1", port: sink.port, username: "u", password: "p" };
    await sendMail(smtp, { from: "f@x", to: ["t@x"] }, "secret body");
    expect((await sink.waitFor(1))[0]?.data).toBe("secret body");
    expect(sink.commands.slice(0, 4)).toEqual(["EHLO localhost", "STARTTLS", "tls EHLO localhost", expect.stringMatching(/^tls AUTH PLAIN /)]);
    await sink.close();
    sink = await startSmtpSink({ starttls: true });
    await sendMail({ ...smtp, port: sink.port, username: null, noTls: true }, { from: "f@x", to: ["t@x"] }, "x");
    await sink.waitFor(1);
    expect(sink.commands).not.toContain("STARTTLS");
    await sink.close();
    sink = await startSmtpSink({ implicitTls: true });
    await sendMail({ ...smtp, port: sink.port, username: null, ssl: true }, { from: "f@x", to: ["t@x"] }, "x");
    await sink.waitFor(1);
    expect(sink.commands[0]).toBe("tls EHLO localhost");
  });

  test("a refused connection and a CRLF in an address are errors", async () => {
    const smtp = { ...testConfig().smtp, host: "127.0.0.1", port: 1, timeout: 2 };
    expect(sendMail(smtp, { from: "f@x", to: ["t@x"] }, "x")).rejects.toThrow();
    sink = await startSmtpSink();
    expect(sendMail({ ...smtp, port: sink.port }, { from: "f@x", to: ["t@x>\r\nRCPT TO:<evil@x"] }, "x")).rejects.toThrow("invalid e-mail address");
  });
});

describe("e-mails from engine events", () => {
  function setup(overrides: ConfigOverrides, isTty = false) {
    const config = testConfig({
      email: { receivers: ["ops@example.com"], sender: "luigi@example.com", prefix: "[prod]", ...overrides.email },
      smtp: { host: "127.0.0.1", port: sink?.port ?? 1, ...overrides.smtp },
      engine: overrides.engine,
      batchEmail: overrides.batchEmail,
    });
    const clock = new FakeClock(1_000_000);
    const { log, lines } = recordingLog();
    const mailer = new Mailer({ email: config.email, smtp: config.smtp, log, isTty });
    return { notifier: new EmailNotifier(config, mailer, clock, log), clock, lines, mailer };
  }

  test("batched: nothing before the interval, one grouped mail per recipient after it, the rest at shutdown", async () => {
    sink = await startSmtpSink();
    const { notifier, clock, mailer } = setup({ engine: { batchEmails: true }, batchEmail: { emailInterval: 5 } });
    notifier.onChange(
      [
        failure(facts("Load", { date: "2026-01-01" }), "Traceback\nValueError: bad row"),
        failure(facts("Load", { date: "2026-01-01" }), "Traceback\nValueError: bad row", { disabled: true, owners: ["dev@example.com"] }),
        { type: "scheduling_failure", at: 0, taskName: "Sched(x=1)", family: "Sched", unbatchedParams: { x: "1" }, expl: "no such class", owners: [], worker: "w" },
      ],
      changes,
    );
    clock.advance(4 * 60);
    notifier.onChange([], changes); // a prune before the interval: nothing
    await mailer.settled();
    expect(sink.mails).toHaveLength(0);
    clock.advance(61);
    notifier.onChange([], changes); // the prune after it
    const mails = await sink.waitFor(2);
    const byRecipient = new Map(mails.map((m) => [m.to[0], parseMail(m.data)]));
    const ops = byRecipient.get("ops@example.com");
    expect(ops?.headers.get("subject")).toBe("[prod] Luigi: 2 failures, 1 disable, 1 scheduling failure in the last 5 minutes");
    expect(ops?.headers.get("from")).toBe("luigi@example.com");
    expect(ops?.body).toBe(
      "- Load(date=2026-01-01) (2 failures, 1 disable)\n\n      Traceback\n      ValueError: bad row\n\n- Sched(x=1) (1 scheduling failure)\n\n      no such class",
    );
    const dev = byRecipient.get("dev@example.com");
    expect(dev?.headers.get("subject")).toBe("[prod] Luigi: Your tasks have 1 failure, 1 disable in the last 5 minutes");
    // Cleared after sending; what comes next goes out at shutdown.
    notifier.onChange([failure(facts("Late"), "late error")], changes);
    await notifier.close();
    expect(sink.mails).toHaveLength(3);
    expect(parseMail(sink.mails[2]?.data ?? "").body).toBe("- Late() (1 failure)\n\n      late error");
  });

  test("not batched: an auto-disable mails the receivers at once; hostile ids cannot inject headers", async () => {
    sink = await startSmtpSink();
    const { notifier } = setup({});
    notifier.onChange([{ type: "auto_disabled", at: 0, task: facts("T", {}, { id: "T_1\r\nBcc: x@evil" }), retryCount: 3, disableWindow: 3600, disablePersist: 86400 }], changes);
    notifier.onChange([failure(facts("T"), "ignored when not batching")], changes);
    await notifier.close();
    expect(sink.mails).toHaveLength(1);
    const mail = parseMail(sink.mails[0]?.data ?? "");
    expect(mail.headers.get("subject")).toBe("[prod] Luigi Scheduler: DISABLED T_1 Bcc: x@evil due to excessive failures");
    expect(mail.headers.has("bcc")).toBe(false);
    expect(mail.body).toBe("T_1\r\nBcc: x@evil failed 3 times in the last 3600 seconds, so it is being disabled for 86400 seconds");
    expect(sink.mails[0]?.to).toEqual(["ops@example.com"]);
  });

  test("tty rule, format none and an unreachable server: logged, nothing thrown", async () => {
    const tty = setup({}, true);
    tty.notifier.onChange([{ type: "auto_disabled", at: 0, task: facts("T"), retryCount: 1, disableWindow: 1, disablePersist: 1 }], changes);
    expect(tty.lines.some((l) => l.includes('Not sending email to ["ops@example.com"] because running from a tty'))).toBe(true);
    const none = setup({ email: { format: "none", forceSend: true } }, true);
    none.notifier.onChange([{ type: "auto_disabled", at: 0, task: facts("T"), retryCount: 1, disableWindow: 1, disablePersist: 1 }], changes);
    expect(none.lines.some((l) => l.includes("because email format is 'none'"))).toBe(true);
    const down = setup({ email: { forceSend: true }, smtp: { port: 1, timeout: 2 } }, true);
    down.notifier.onChange([{ type: "auto_disabled", at: 0, task: facts("T"), retryCount: 1, disableWindow: 1, disablePersist: 1 }], changes);
    await down.notifier.close();
    expect(down.lines.some((l) => l.includes("ERROR: Not able to send email"))).toBe(true);
  });

  test("e-mail methods other than smtp are refused at startup", () => {
    expect(() => setup({ email: { method: "sendgrid" } })).toThrow("[email] method = sendgrid is not supported");
    expect(() => setup({ email: { method: "ses", format: "none" } })).not.toThrow();
  });
});

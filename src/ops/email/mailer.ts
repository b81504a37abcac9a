/**
 * Luigi's `send_email` rules for the e-mails the daemon sends (server.md §7.3):
 * the `[email] prefix`, no mail without recipients or with `format = none`,
 * none from a terminal unless `force_send`, and transport over SMTP. Failures
 * are logged, never thrown: an e-mail must not fail an RPC.
 * @module
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { EmailConfig, SmtpConfig } from "../../config/types.ts";
import type { Logger } from "../../lib/log.ts";
import { type Envelope, sendMail } from "./smtp.ts";

export type Transport = (envelope: Envelope, message: string) => Promise<void>;

export interface MailerOptions {
  email: EmailConfig;
  smtp: SmtpConfig;
  log: Logger;
  /** Whether stdout is a terminal (Luigi's tty rule). */
  isTty: boolean;
  /** Defaults to SMTP with `[smtp]`; tests may pass their own. */
  transport?: Transport;
  now?: () => Date;
}

/** Header values carry task names: no line breaks may reach the header block. */
function headerText(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

/** RFC 2047 encoded-word for non-ASCII header text. */
function encodeHeader(value: string): string {
  const text = headerText(value);
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?utf-8?b?${Buffer.from(text, "utf8").toString("base64")}?=`;
}

function base64Lines(text: string): string {
  return (
    Buffer.from(text, "utf8")
      .toString("base64")
      .match(/.{1,76}/g)
      ?.join("\r\n") ?? ""
  );
}

/** A MIME message like Luigi's (multipart/related with one UTF-8 text part, base64). */
export function composeMessage(options: { from: string; to: readonly string[]; subject: string; body: string; format: "plain" | "html"; date: Date }): string {
  const boundary = `=luigid-${randomBytes(12).toString("hex")}`;
  return [
    `Content-Type: multipart/related; boundary="${boundary}"`,
    "MIME-Version: 1.0",
    `Subject: ${encodeHeader(options.subject)}`,
    `From: ${headerText(options.from)}`,
    `To: ${headerText(options.to.join(","))}`,
    `Date: ${options.date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${randomBytes(16).toString("hex")}@${headerText(hostname())}>`,
    "",
    `--${boundary}`,
    `Content-Type: text/${options.format}; charset="utf-8"`,
    "MIME-Version: 1.0",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(options.body),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}

export class Mailer {
  private readonly transport: Transport;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: MailerOptions) {
    this.transport = options.transport ?? ((envelope, message) => sendMail(options.smtp, envelope, message));
  }

  /** Why nothing would be sent right now, or null. */
  disabledReason(): string | null {
    if (this.options.email.format === "none") return "email format is 'none'";
    if (this.options.email.forceSend) return null;
    if (this.options.isTty) return "running from a tty";
    return null;
  }

  /** Sends in the background; `settled()` waits for everything started so far. */
  send(subject: string, body: string, recipients: readonly string[]): void {
    const { email, log } = this.options;
    const fullSubject = email.prefix ? `${email.prefix} ${subject}` : subject;
    const to = recipients.flatMap((r) => r.split(",")).map((r) => r.trim()).filter(Boolean);
    if (to.length === 0) return;
    const reason = this.disabledReason();
    if (reason) {
      log.info(`Not sending email to ${JSON.stringify(to)} because ${reason}`);
      return;
    }
    log.info(`Sending email to ${JSON.stringify(to)}`);
    const format = email.format === "html" ? "html" : "plain";
    const message = composeMessage({ from: email.sender, to, subject: fullSubject, body, format, date: (this.options.now ?? (() => new Date()))() });
    const sending = this.transport({ from: email.sender, to }, message)
      .catch((error: unknown) => log.error(`Not able to send email to ${JSON.stringify(to)}: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}

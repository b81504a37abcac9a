/**
 * A small SMTP client (RFC 5321) over node:net / node:tls, doing what Luigi's
 * smtplib path does: implicit TLS or STARTTLS when offered, AUTH PLAIN or
 * LOGIN when both username and password are set, one MAIL/RCPT/DATA
 * transaction. Written here because the npm SMTP libraries are large for the
 * five commands a scheduler needs.
 * @module
 */
import { Socket, connect as netConnect } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import type { SmtpConfig } from "../../config/types.ts";

export class SmtpError extends Error {}

export interface Envelope {
  from: string;
  to: readonly string[];
}

interface Reply {
  code: number;
  lines: string[];
}

/** Reads CRLF-terminated lines and groups SMTP multi-line replies (`250-…` … `250 …`). */
class ReplyReader {
  private buffer = "";
  private lines: string[] = [];
  private waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;

  feed(chunk: string): void {
    this.buffer += chunk;
    let at: number;
    while ((at = this.buffer.indexOf("\n")) >= 0) {
      this.lines.push(this.buffer.slice(0, at).replace(/\r$/, ""));
      this.buffer = this.buffer.slice(at + 1);
    }
    if (this.buffer.length > 64 * 1024) this.fail(new SmtpError("SMTP server sent an over-long line"));
    this.deliver();
  }

  fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(this.failure);
  }

  private deliver(): void {
    if (!this.waiting) return;
    const end = this.lines.findIndex((line) => !/^\d{3}-/.test(line));
    if (end < 0) return;
    const lines = this.lines.splice(0, end + 1);
    const last = lines[lines.length - 1] ?? "";
    const code = Number(last.slice(0, 3));
    const waiting = this.waiting;
    this.waiting = null;
    if (!/^\d{3}/.test(last)) waiting.reject(new SmtpError(`malformed SMTP reply: ${JSON.stringify(last.slice(0, 200))}`));
    else waiting.resolve({ code, lines: lines.map((line) => line.slice(4)) });
  }

  next(): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }
}

/** Dot-stuffing (RFC 5321 §4.5.2) and CRLF line ends for the DATA section. */
export function encodeData(message: string): string {
  const lines = message.replace(/\r?\n/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return `${lines.map((line) => (line.startsWith(".") ? `.${line}` : line)).join("\r\n")}\r\n.\r\n`;
}

/**
 * The bare address for the envelope: `Name <a@b>` gives `a@b`, as smtplib's
 * quoteaddr does; anything that could smuggle an SMTP command is refused.
 */
export function envelopeAddress(address: string): string {
  const bracketed = /^[^<>]*<([^<>]*)>\s*$/.exec(address);
  const bare = (bracketed ? bracketed[1] ?? "" : address).trim();
  if (/[\r\n<>\s]/.test(bare)) throw new SmtpError(`invalid e-mail address ${JSON.stringify(address)}`);
  return bare;
}

class Session {
  private readonly reader = new ReplyReader();
  private socket: Socket | TLSSocket;

  constructor(
    socket: Socket | TLSSocket,
    private readonly timeoutMs: number,
  ) {
    this.socket = socket;
    this.attach(socket);
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.reader.feed(chunk));
    socket.on("error", (error) => this.reader.fail(error));
    socket.on("close", () => this.reader.fail(new SmtpError("SMTP connection closed")));
    socket.setTimeout(this.timeoutMs, () => {
      this.reader.fail(new SmtpError(`SMTP server did not answer within ${this.timeoutMs / 1000}s`));
      socket.destroy();
    });
  }

  async expect(codes: readonly number[], what: string): Promise<Reply> {
    const reply = await this.reader.next();
    if (!codes.includes(reply.code)) throw new SmtpError(`${what}: server answered ${reply.code} ${reply.lines.join(" ").slice(0, 300)}`);
    return reply;
  }

  async command(line: string, codes: readonly number[], what = line.split(" ")[0] ?? line): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.expect(codes, what);
  }

  /** Sends raw bytes (the DATA section) and waits for the reply. */
  async raw(data: string, codes: readonly number[], what: string): Promise<Reply> {
    this.socket.write(data);
    return this.expect(codes, what);
  }

  /** Upgrades the connection in place after STARTTLS. */
  async startTls(host: string): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("close");
    plain.removeAllListeners("error");
    plain.setTimeout(0);
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      // Like Python's smtplib.starttls() without a context: no certificate check.
      const socket = tlsConnect({ socket: plain, servername: isIp(host) ? undefined : host, rejectUnauthorized: false }, () => resolve(socket));
      socket.once("error", reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }

  end(): void {
    this.socket.end();
  }
}

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(":");

function open(config: SmtpConfig, timeoutMs: number): Promise<Socket | TLSSocket> {
  const port = config.port || (config.ssl ? 465 : 25);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SmtpError(`could not connect to ${config.host}:${port} within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      socket.removeListener("error", failed);
      resolve(socket);
    };
    const failed = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const socket: Socket | TLSSocket = config.ssl
      ? tlsConnect({ host: config.host, port, servername: isIp(config.host) ? undefined : config.host, rejectUnauthorized: false }, done)
      : netConnect({ host: config.host, port }, done);
    socket.once("error", failed);
  });
}

function extensions(reply: Reply): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of reply.lines.slice(1)) {
    const [name = "", ...rest] = line.trim().split(/\s+/);
    map.set(name.toUpperCase(), rest.join(" ").toUpperCase());
  }
  return map;
}

/** Sends one message; throws SmtpError or the socket's error. */
export async function sendMail(config: SmtpConfig, envelope: Envelope, message: string): Promise<void> {
  const timeoutMs = Math.max(1, config.timeout > 0 ? config.timeout : 10) * 1000;
  const session = new Session(await open(config, timeoutMs), timeoutMs);
  try {
    await session.expect([220], "greeting");
    const name = config.localHostname || "localhost";
    let ext: Map<string, string>;
    try {
      ext = extensions(await session.command(`EHLO ${name}`, [250]));
    } catch (error) {
      if (!(error instanceof SmtpError)) throw error;
      await session.command(`HELO ${name}`, [250]);
      ext = new Map();
    }
    if (!config.ssl && !config.noTls && ext.has("STARTTLS")) {
      await session.command("STARTTLS", [220]);
      await session.startTls(config.host);
      ext = extensions(await session.command(`EHLO ${name}`, [250]));
    }
    if (config.username && config.password) {
      const methods = ext.get("AUTH") ?? "";
      if (methods.includes("PLAIN") || !methods.includes("LOGIN")) {
        const token = Buffer.from(`\0${config.username}\0${config.password}`).toString("base64");
        await session.command(`AUTH PLAIN ${token}`, [235], "AUTH PLAIN");
      } else {
        await session.command("AUTH LOGIN", [334]);
        await session.command(Buffer.from(config.username).toString("base64"), [334], "AUTH LOGIN user");
        await session.command(Buffer.from(config.password).toString("base64"), [235], "AUTH LOGIN password");
      }
    }
    await session.command(`MAIL FROM:<${envelopeAddress(envelope.from)}>`, [250]);
    for (const to of envelope.to) await session.command(`RCPT TO:<${envelopeAddress(to)}>`, [250, 251]);
    await session.command("DATA", [354]);
    await session.raw(encodeData(message), [250], "message");
    await session.command("QUIT", [221]).catch(() => undefined);
    session.end();
  } catch (error) {
    session.close();
    throw error;
  }
}

/**
 * A loopback SMTP server for tests: records every transaction (envelope,
 * commands, decoded DATA) and can demand AUTH.
 * @module
 */
import { type Server, type Socket, createServer } from "node:net";

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The DATA section with dot-stuffing removed, CRLF kept. */
  data: string;
  auth: string | null;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  commands: string[];
  /** Resolves once `count` mails have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(options: { authMechanisms?: string[]; ehlo?: boolean } = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  let notify = () => {};
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.setEncoding("utf8");
    let buffer = "";
    let inData = false;
    let dataLines: string[] = [];
    let current: ReceivedMail = { from: "", to: [], data: "", auth: null };
    let authStep: null | "login-user" | "login-pass" = null;
    let loginUser = "";
    const send = (line: string) => socket.write(`${line}\r\n`);
    send("220 sink ESMTP ready");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let at: number;
      while ((at = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            current.data = dataLines.join("\r\n");
            mails.push(current);
            current = { from: "", to: [], data: "", auth: current.auth };
            send("250 OK queued");
            notify();
          } else dataLines.push(line.startsWith(".") ? line.slice(1) : line);
          continue;
        }
        commands.push(line);
        if (authStep === "login-user") {
          loginUser = Buffer.from(line, "base64").toString();
          authStep = "login-pass";
          send("334 UGFzc3dvcmQ6");
          continue;
        }
        if (authStep === "login-pass") {
          current.auth = `LOGIN ${loginUser}:${Buffer.from(line, "base64").toString()}`;
          authStep = null;
          send("235 ok");
          continue;
        }
        const verb = line.split(" ")[0]?.toUpperCase();
        if (verb === "EHLO") {
          if (options.ehlo === false) send("502 no EHLO here");
          else {
            send("250-sink greets you");
            if (options.authMechanisms) send(`250-AUTH ${options.authMechanisms.join(" ")}`);
            send("250 8BITMIME");
          }
        } else if (verb === "HELO") send("250 sink");
        else if (verb === "AUTH") {
          const [, mech, arg] = line.split(" ");
          if (mech === "PLAIN") {
            const [, user, pass] = Buffer.from(arg ?? "", "base64").toString().split("\0");
            current.auth = `PLAIN ${user}:${pass}`;
            send("235 ok");
          } else {
            authStep = "login-user";
            send("334 VXNlcm5hbWU6");
          }
        } else if (verb === "MAIL") {
          current.from = /<(.*)>/.exec(line)?.[1] ?? "";
          send("250 OK");
        } else if (verb === "RCPT") {
          current.to.push(/<(.*)>/.exec(line)?.[1] ?? "");
          send("250 OK");
        } else if (verb === "DATA") {
          inData = true;
          dataLines = [];
          send("354 go ahead");
        } else if (verb === "QUIT") {
          send("221 bye");
          socket.end();
        } else send("500 unknown");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    mails,
    commands,
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${mails.length} of ${count} mails arrived`)), timeoutMs);
        notify = () => {
          if (mails.length >= count) {
            clearTimeout(timer);
            resolve(mails);
          }
        };
        notify();
      });
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The decoded text part and the headers of a message composed by the mailer. */
export function parseMail(data: string): { headers: Map<string, string>; body: string } {
  const [head = "", ...rest] = data.split("\r\n\r\n");
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const at = line.indexOf(": ");
    headers.set(line.slice(0, at).toLowerCase(), line.slice(at + 2));
  }
  const part = rest.join("\r\n\r\n");
  const base64 = part.split("\r\n\r\n")[1]?.split("\r\n--")[0] ?? "";
  return { headers, body: Buffer.from(base64.replace(/\r\n/g, ""), "base64").toString("utf8") };
}

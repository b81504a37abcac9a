/**
 * A loopback SMTP server for tests: records every transaction (envelope,
 * commands, decoded DATA) and can demand AUTH.
 * @module
 */
import { type Server, type Socket, createServer } from "node:net";
import { TLSSocket, createServer as createTlsServer } from "node:tls";

/** A self-signed certificate for CN=localhost, test use only (valid for 100 years). */
export const TEST_TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDIgSfLGgzX5V+o
rpBI2uNxwf2bINGmqvyvby1gcs7yKxLkKcR6DUpbgFNopB5jwb0e6Tg4sCr4BoCp
WLP5kuyqmeut4UI2zJCAjT1ONQjpZ+/ZPSy1WUkGrglA/c3W3qao7k1kWuy/TghB
mjI6EZe2N0N2yuwsXzdYKvJt80DeeWiqi7F7fbNHeKNn2zCx66M6ATOeqYHrp/8B
sCzSUnS2jZB4tpCh5LOOaWWPWE9nl6kV4qhnMqY1tdR3kPfVt40vz80aLfKcYwy2
I/VZZ7NKPdOwsXUQ9dbwbSExCSG9E03tPbpwcIIo2eGmJGsljzJv4YQNnyJuMRYC
4IY76ir5AgMBAAECggEAGxMzvi2Zm+LFqNfPtILYUUF2n0bOgLDYt9Dtwfcm4lU2
Mxi/xxJ53sLEoJ3+244rHVw1YxRI7R6lq5iGjxZLvprT1DJVmGRFxBIue9vWBPyr
yvxDiAaTQaNpLP1I2THONAQf78QGcavWGhO6IhTDlY+/XLB4tWIzLUT5YScGtLPX
ioPvY9BlFkQt9maDYIgvCgTUQ1WZq6i85x563CkVCUBl8Wm8E80TGEdAh80XhdhE
xuloYfJYTlwukOAKUiheVPUVeKTECNaXErCFMJzaRNT2KEuHT2uVG9S4ERXr9apC
QZ8PFvIAREA6bLMQ1M2NLvGLaln/D15ind34qxyAzQKBgQDvWN38ua1vN5ZulKeU
xkklqXw18QzIlJzr18GY8vHN1NmJn/pQip6M1yPW8Fiqys9SXEF7FHFd/CKcEUpI
t+3nH4gXRF1tGur3UD31tKv8pvkOy5kYs8M/sGdzCRgP5S2E8beRV6smfmBN+Yqf
hEJ95xowghbXKCfaPGJjNCNVDQKBgQDWdHFUheHbSE5UiqNTZfHzsNmCMJIDc6BL
fyt6QrOLeHXKhigzSh3hTxZEMlgHSRgwcvCydV4EjPVlDBlkf+zwvMbGnR4FH4C/
+YMZczkLcLRDQ5EK8TUmagXBbWOvlPBaY7CMKI4v/EvPBVQZ7QGF+6oQK0Hm3t5B
TOiPQn6KnQKBgHNVQ0Lwxh39j0Oh5k7ObZj0XqIvkZVl52fOA8AL8XDZzCmBKUF+
SoBbey2ri05hhB2Pzw3b//Tl9ld2DXGVD9J7Yzyy+MIGYorh47luYiHQ49q5SQCa
Ps+F1ZOdIjcmnBSf1XD36cUWyJlKUf4j4VaB8iDFzvPGqc2Do3ViPlRRAoGAQtU3
HGg84uG9x4sNK0hyBsfugSwx1PGL2vteyVNQMP7xdpQooxNODJFhFw+5b0vQRgkM
ChGZo0FqmHsUzsUvSjcKm4sLd/1BWpKf0Kaf+Hi/NNcxtH9HWRlhgc5darK31POM
aaGZ7kpqNbIra4j5GJA9h5xzhUefbCpTr5HBbeECgYEA1t52BuqPJzN73hOeEJTu
OIsPTCyQJa0aj0EeRXCIy+jtQlRxfHUPtE0UgGjvyA3+0nUi6ILqELg0Shi72TPB
xbuKnz/h3XxWGOgqvZDseVrKqmdyeZ2z2uw1tVzs3jOjifk45nzTYyrKrb5cNvPF
VYldJ/dV2+5Mbp4MeE+9OR4=
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIDCzCCAfOgAwIBAgIUMShEp2+Ido1k2SAc9dWF4/437NMwDQYJKoZIhvcNAQEL
BQAwFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMTEzNDY0MVoYDzIxMjYx
MDI4MTM0NjQxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQDIgSfLGgzX5V+orpBI2uNxwf2bINGmqvyvby1gcs7y
KxLkKcR6DUpbgFNopB5jwb0e6Tg4sCr4BoCpWLP5kuyqmeut4UI2zJCAjT1ONQjp
Z+/ZPSy1WUkGrglA/c3W3qao7k1kWuy/TghBmjI6EZe2N0N2yuwsXzdYKvJt80De
eWiqi7F7fbNHeKNn2zCx66M6ATOeqYHrp/8BsCzSUnS2jZB4tpCh5LOOaWWPWE9n
l6kV4qhnMqY1tdR3kPfVt40vz80aLfKcYwy2I/VZZ7NKPdOwsXUQ9dbwbSExCSG9
E03tPbpwcIIo2eGmJGsljzJv4YQNnyJuMRYC4IY76ir5AgMBAAGjUzBRMB0GA1Ud
DgQWBBQbsGt+CZ3mjsypunr3/k+zegteizAfBgNVHSMEGDAWgBQbsGt+CZ3mjsyp
unr3/k+zegteizAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQBI
vMFIjTSaeoxUKFowPVUIIbkMRQyaKp5LRIK8/6WNQBl7M4Cw6PcmlYTsEEETkDS5
QGK8WAy6jP0/Kjd+J9rn11G2sVIuRUZpJwbuBnoPG4jBR5Q2GNsDZOunCHR5rkyj
NeZP04dKIF3u3F4/OarLv0eridZ6/KW0lhRy/LcWK29DbNeE1n8Ou8h8hP0Wu+i+
wQQCGVtWYWBKIZBxGWsQ8vRg5a2rsXfSHnkQE8fOua/nffvNdlNOd84V9CiBiLVe
0QLBsURASShccBbpRkfXE+HGIeaLp6eWOtQhlyV5JthoWRXxNo3Jr5VH2pXLy67L
GPhey9nnCjzn2+MiXy+t
-----END CERTIFICATE-----`,
};

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

export interface SinkOptions {
  authMechanisms?: string[];
  ehlo?: boolean;
  /** Offer STARTTLS with the test certificate. */
  starttls?: boolean;
  /** Speak TLS from the first byte (`[smtp] ssl = true`). */
  implicitTls?: boolean;
}

export async function startSmtpSink(options: SinkOptions = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  let notify = () => {};
  const session = (socket: Socket, greet: boolean, secure: boolean): void => {
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
    if (greet) send("220 sink ESMTP ready");
    const onData = (chunk: string) => {
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
        commands.push(secure ? `tls ${line}` : line);
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
            if (options.starttls && !secure) send("250-STARTTLS");
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
        } else if (verb === "STARTTLS" && options.starttls && !secure) {
          send("220 go ahead");
          socket.removeListener("data", onData);
          session(new TLSSocket(socket, { isServer: true, ...TEST_TLS }), false, true);
          return;
        } else if (verb === "QUIT") {
          send("221 bye");
          socket.end();
        } else send("500 unknown");
      }
    };
    socket.on("data", onData);
  };
  const server: Server = options.implicitTls
    ? createTlsServer(TEST_TLS, (socket) => session(socket, true, true))
    : createServer((socket) => session(socket, true, false));
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

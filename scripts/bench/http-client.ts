/**
 * A minimal HTTP/1.1 keep-alive client over Bun.connect, for the benchmarks:
 * it sends what Python's `requests` sends for a Luigi RPC (the same headers,
 * a form-encoded `data=` body, one request at a time per connection) and
 * costs the benchmark process a fraction of what fetch() does, so on a small
 * machine that runs client and server side by side the figures say more
 * about the server. Handles Content-Length and chunked replies, and gzip.
 * @module
 */
import type { Socket } from "bun";

export interface RawReply {
  status: number;
  text: string;
}

const CRLF_CRLF = Buffer.from("\r\n\r\n");
const UTF8 = new TextDecoder();

/** One keep-alive connection: one request in flight at a time. */
class Connection {
  private socket: Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  /** Chunks received after `buffer` while a large body is still arriving (joined once, when complete). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the reply at the front needs in all, once its head says so. */
  private needed = 0;
  private waiting: { resolve: (reply: RawReply) => void; reject: (error: Error) => void } | null = null;

  private constructor(private readonly host: string) {}

  static async open(hostname: string, port: number): Promise<Connection> {
    const connection = new Connection(`${hostname}:${port}`);
    connection.socket = await Bun.connect({
      hostname,
      port,
      socket: {
        data: (_socket, chunk) => connection.receive(chunk),
        close: () => connection.fail(new Error("connection closed by the server")),
        error: (_socket, error) => connection.fail(error),
      },
    });
    connection.socket.setNoDelay(true);
    return connection;
  }

  request(path: string, body: string): Promise<RawReply> {
    if (!this.socket) return Promise.reject(new Error("connection closed"));
    const bytes = Buffer.from(body);
    const head =
      `POST ${path} HTTP/1.1\r\nHost: ${this.host}\r\nUser-Agent: python-requests/2.28.1\r\nAccept-Encoding: gzip, deflate\r\n` +
      `Accept: */*\r\nConnection: keep-alive\r\nContent-Length: ${bytes.byteLength}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket!.write(Buffer.concat([Buffer.from(head), bytes]));
    });
  }

  close(): void {
    this.socket?.end();
    this.socket = null;
  }

  private receive(chunk: Buffer): void {
    // A big reply arrives in many chunks: join them once it is all here, not at every chunk.
    if (this.needed > 0 && this.buffer.length + this.pendingBytes + chunk.length < this.needed) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      return;
    }
    this.buffer = Buffer.concat([this.buffer, ...this.pending, chunk]);
    this.pending = [];
    this.pendingBytes = 0;
    const reply = this.parse();
    if (!reply) return;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve(reply);
  }

  /** A whole reply at the front of the buffer (consumed), or null while more bytes are due. */
  private parse(): RawReply | null {
    const end = this.buffer.indexOf(CRLF_CRLF);
    if (end < 0) return null;
    const lines = this.buffer.subarray(0, end).toString("latin1").split("\r\n");
    const status = Number(lines[0]!.split(" ")[1]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    let body: Buffer;
    let consumed: number;
    if (headers.get("transfer-encoding")?.toLowerCase().includes("chunked")) {
      const parts: Buffer[] = [];
      let at = end + 4;
      for (;;) {
        const lineEnd = this.buffer.indexOf("\r\n", at);
        if (lineEnd < 0) return null;
        const size = Number.parseInt(this.buffer.subarray(at, lineEnd).toString("latin1"), 16);
        if (this.buffer.length < lineEnd + 2 + size + 2) return null;
        if (size === 0) {
          consumed = lineEnd + 4;
          break;
        }
        parts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers.get("content-length") ?? 0);
      if (this.buffer.length < end + 4 + length) {
        this.needed = end + 4 + length;
        return null;
      }
      this.needed = 0;
      body = this.buffer.subarray(end + 4, end + 4 + length);
      consumed = end + 4 + length;
    }
    this.buffer = this.buffer.subarray(consumed);
    // No copies of a big reply on the way (a 45 MB listing would be copied twice).
    const bytes: Uint8Array = headers.get("content-encoding") === "gzip" ? Bun.gunzipSync(body as Uint8Array<ArrayBuffer>) : body;
    return { status, text: UTF8.decode(bytes) };
  }

  private fail(error: Error): void {
    this.socket = null;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }
}

/** Connections to one server, reused like a session's pool: a call takes an idle one or opens another. */
export class SocketPool {
  private readonly idle: Connection[] = [];

  constructor(
    private readonly hostname: string,
    private readonly port: number,
  ) {}

  async post(path: string, body: string): Promise<RawReply> {
    const connection = this.idle.pop() ?? (await Connection.open(this.hostname, this.port));
    const reply = await connection.request(path, body);
    this.idle.push(connection);
    return reply;
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.close();
  }
}

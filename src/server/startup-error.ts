/**
 * A reason not to start that the operator can act on (busy port, bad config
 * value, foreign socket file). The CLI prints its message as one line and
 * exits 1; anything else thrown at startup is a bug and gets a stack trace.
 * @module
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StartupError";
  }
}

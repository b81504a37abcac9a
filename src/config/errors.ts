/**
 * A configuration that cannot be used: the message names the file, section,
 * option and value, so the operator knows exactly what to fix.
 * @module
 */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConfigError";
  }
}

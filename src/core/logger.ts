/**
 * The one named logger. Silent unless enabled (the `debug` attribute or option);
 * every line starts with `[live-session]` so it is easy to filter in a console.
 */
export interface Logger {
  enabled: boolean;
  debug(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
}

const PREFIX = '[live-session]';

export function createLogger(enabled = false): Logger {
  return {
    enabled,
    debug(message, ...details) {
      if (this.enabled) console.log(PREFIX, message, ...details);
    },
    warn(message, ...details) {
      if (this.enabled) console.warn(PREFIX, message, ...details);
    },
  };
}

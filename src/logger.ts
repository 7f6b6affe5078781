import pino, { type DestinationStream, type Logger } from "pino";

/** JSON lines on stdout, or on `destination` (a CLI whose stdout is its result uses stderr). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

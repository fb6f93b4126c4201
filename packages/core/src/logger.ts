/** Where a message points, so an action can turn it into a file annotation. */
export interface SourceLocation {
  file?: string;
  line?: number;
  title?: string;
}

/**
 * The small logging surface every package takes. The action runtime maps it to @actions/core
 * (annotations, groups); the CLI maps it to the terminal; tests pass `createMemoryLogger()`.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string, location?: SourceLocation): void;
  error(message: string, location?: SourceLocation): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warning' | 'error';
  message: string;
  location?: SourceLocation;
}

export interface MemoryLogger extends Logger {
  readonly records: LogRecord[];
  messages(level?: LogRecord['level']): string[];
}

export function createMemoryLogger(): MemoryLogger {
  const records: LogRecord[] = [];
  const push = (level: LogRecord['level'], message: string, location?: SourceLocation): void => {
    records.push(location ? { level, message, location } : { level, message });
  };
  return {
    records,
    messages: (level) => records.filter((r) => !level || r.level === level).map((r) => r.message),
    debug: (m) => push('debug', m),
    info: (m) => push('info', m),
    warning: (m, l) => push('warning', m, l),
    error: (m, l) => push('error', m, l),
    group: async (_name, fn) => fn(),
  };
}

function formatLocation(location?: SourceLocation): string {
  if (!location?.file) return '';
  return location.line ? ` (${location.file}:${location.line})` : ` (${location.file})`;
}

/** Plain terminal logger for the CLI and scripts. Debug output only with WMS_DEBUG=1. */
export function createConsoleLogger(options: { debug?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const debugOn = options.debug ?? process.env.WMS_DEBUG === '1';
  const write = (line: string): void => {
    stream.write(`${line}\n`);
  };
  return {
    debug: (m) => {
      if (debugOn) write(`debug: ${m}`);
    },
    info: (m) => write(m),
    warning: (m, l) => write(`warning: ${m}${formatLocation(l)}`),
    error: (m, l) => write(`error: ${m}${formatLocation(l)}`),
    group: async (name, fn) => {
      write(`── ${name}`);
      return fn();
    },
  };
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  group: async (_name, fn) => fn(),
};

/**
 * A mistake the user can fix (bad input, bad data, missing file). Reported without a stack;
 * everything else is treated as a bug in WMS Pipeline and reported with one in debug output.
 * Mirrors codeql-action's ConfigurationError.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  /** What to do about it, appended to the message shown to the user. */
  readonly hint: string | undefined;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options?.hint;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Normalises anything thrown into an Error without losing the original message. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}

/** The one-paragraph message a person sees for a failure. */
export function describeFailure(thrown: unknown): string {
  if (isUserError(thrown)) {
    return thrown.hint ? `${thrown.message}\n${thrown.hint}` : thrown.message;
  }
  const error = toError(thrown);
  return `Internal error in WMS Pipeline: ${error.message}. This is a bug; please report it with the debug log (re-run with ACTIONS_STEP_DEBUG=true or WMS_DEBUG=1).`;
}

/**
 * Errors are values with stable codes. Business code throws (or returns) an AppError; the HTTP layer
 * maps it to RFC 9457 problem+json in one place (http/problem.ts). The code is the contract clients
 * program against; the message is for people and may change.
 */
export interface FieldProblem {
  /** JSON pointer-ish path of the offending input, e.g. `basket/0/amount` or `email`. */
  field: string;
  code: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: { field?: string; errors?: FieldProblem[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, field?: string) =>
  new AppError(code, 400, message, field ? { field, errors: [{ field, code, message }] } : {});
export const unauthorized = (code = 'unauthenticated', message = 'Authentication required') => new AppError(code, 401, message);
export const forbidden = (code = 'forbidden', message = 'Not allowed for your role') => new AppError(code, 403, message);
export const notFound = (code = 'not_found', message = 'Not found') => new AppError(code, 404, message);
export const conflict = (code: string, message: string) => new AppError(code, 409, message);
export const unprocessable = (code: string, message: string, extra: AppError['extra'] = {}) => new AppError(code, 422, message, extra);
export const tooManyRequests = (code: string, message: string, retryAfterSeconds: number) =>
  new AppError(code, 429, message, { retryAfterSeconds });
export const unavailable = (code: string, message: string) => new AppError(code, 503, message);

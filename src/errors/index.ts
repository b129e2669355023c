export {
  ERROR_HTTP_STATUS,
  type ErrorCategory,
  type ErrorCode,
  httpStatusOf,
} from './error-codes.ts'
export {
  type ErrorDetails,
  type ErrorDetailValue,
  HelpdeskError,
  type HelpdeskErrorOptions,
  isHelpdeskError,
  toHelpdeskError,
} from './helpdesk-error.ts'

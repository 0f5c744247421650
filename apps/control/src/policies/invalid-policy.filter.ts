import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { PolicyValidationError, type PolicyIssue } from '@gw/policy';
import type { FastifyReply } from 'fastify';

/** A response lists this many issues at most (a 1 MiB document could otherwise make a much larger 400). */
export const MAX_LISTED_ISSUES = 1_000;

/** The control envelope of an invalid policy document, plus every issue (JSON-pointer paths). */
export function invalidPolicyBody(err: PolicyValidationError): { error: Record<string, unknown> } {
  const issues: PolicyIssue[] = err.issues.slice(0, MAX_LISTED_ISSUES);
  const more = err.issues.length - issues.length;
  return {
    error: {
      message: err.message,
      type: 'invalid_request_error',
      param: err.issues[0]?.path || null,
      code: 'invalid_policy',
      issues,
      ...(more > 0 ? { more_issues: more } : {}),
    },
  };
}

/**
 * The app's renderer knows `{message, type, param, code}` only; an invalid policy also lists its issues. Bound to
 * the policies controller, so it takes precedence over the global filter for this one error class.
 */
@Catch(PolicyValidationError)
export class InvalidPolicyFilter implements ExceptionFilter {
  catch(err: PolicyValidationError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return;
    void reply.status(400).header('content-type', 'application/json').send(invalidPolicyBody(err));
  }
}

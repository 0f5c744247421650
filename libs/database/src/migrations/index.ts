import { CreateAuditEvent1795324237818 } from './1795324237818-CreateAuditEvent';

/** Committed migrations, oldest first. Add each new migration here (explicit list, no globs). */
export const MIGRATIONS = [CreateAuditEvent1795324237818];

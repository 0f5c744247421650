import { CreateAuditEvent1795324237818 } from './1795324237818-CreateAuditEvent';
import { CreateIdentity1795327560750 } from './1795327560750-CreateIdentity';
import { CreateCredits1795330000000 } from './1795330000000-CreateCredits';
import { CreateFreeTierClaim1795331000000 } from './1795331000000-CreateFreeTierClaim';
import { CreateStoredResponse1795340000000 } from './1795340000000-CreateStoredResponse';
import { CreateDeadLetter1795350000000 } from './1795350000000-CreateDeadLetter';
import { UserTokenVersion1795351000000 } from './1795351000000-UserTokenVersion';
import { ReplicaLeases1795352000000 } from './1795352000000-ReplicaLeases';
import { CreatePolicies1795360000000 } from './1795360000000-CreatePolicies';
import { ProjectsRolloutHistory1795370000000 } from './1795370000000-ProjectsRolloutHistory';
import { AuditPolicyHistoryIndex1795371000000 } from './1795371000000-AuditPolicyHistoryIndex';
import { AuditChain1795380000000 } from './1795380000000-AuditChain';
import { AuditConnectors1795400000000 } from './1795400000000-AuditConnectors';
import { AuditHmacColumns1795410000000 } from './1795410000000-AuditHmacColumns';
import { AuditContent1795420000000 } from './1795420000000-AuditContent';
import { AuditFilterIndexes1795430000000 } from './1795430000000-AuditFilterIndexes';
import { ReserveCreditsBatch1795440000000 } from './1795440000000-ReserveCreditsBatch';
import { ReserveBatchGenericPlan1795450000000 } from './1795450000000-ReserveBatchGenericPlan';
import { ReserveIndexScan1795460000000 } from './1795460000000-ReserveIndexScan';
import { CreditLeases1795480000000 } from './1795480000000-CreditLeases';
import { LeaseOpSequence1795490000000 } from './1795490000000-LeaseOpSequence';
import { KnownEventsIndexScan1795500000000 } from './1795500000000-KnownEventsIndexScan';
import { ReservationAutovacuum1795470000000 } from './1795470000000-ReservationAutovacuum';

/** Committed migrations, oldest first. Add each new migration here (explicit list, no globs). */
export const MIGRATIONS = [
  CreateAuditEvent1795324237818,
  CreateIdentity1795327560750,
  CreateCredits1795330000000,
  CreateFreeTierClaim1795331000000,
  CreateStoredResponse1795340000000,
  CreateDeadLetter1795350000000,
  UserTokenVersion1795351000000,
  ReplicaLeases1795352000000,
  CreatePolicies1795360000000,
  ProjectsRolloutHistory1795370000000,
  AuditPolicyHistoryIndex1795371000000,
  AuditChain1795380000000,
  AuditConnectors1795400000000,
  AuditHmacColumns1795410000000,
  AuditContent1795420000000,
  AuditFilterIndexes1795430000000,
  ReserveCreditsBatch1795440000000,
  ReserveBatchGenericPlan1795450000000,
  ReserveIndexScan1795460000000,
  ReservationAutovacuum1795470000000,
  CreditLeases1795480000000,
  LeaseOpSequence1795490000000,
  KnownEventsIndexScan1795500000000,
];

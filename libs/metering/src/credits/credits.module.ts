import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { GatewayConfig } from '@gw/config';
import { DeadLetterStore, DEFAULT_JOB_OPTIONS } from '@gw/queue';
import { DataSource } from 'typeorm';
import { BILLING_PRODUCER_OPTIONS, BillingProducer } from './billing.producer';
import { BILLING_QUEUE } from './billing.queue';
import { CREDIT_METER_OPTIONS, CreditMeter, type CreditMeterOptions } from './credit.meter';
import { CreditLeases } from './credit-leases';
import { CreditReservations } from './credit-reservations';
import { LEDGER_PROCESSOR_OPTIONS, LedgerProcessor, type LedgerProcessorOptions } from './ledger.processor';
import { LedgerRepository } from './ledger.repository';
import { ORPHAN_SWEEPER_OPTIONS, OrphanSweeper, type OrphanSweeperOptions, type SweeperLease } from '../recovery/orphan-sweeper';

export function creditMeterOptions(config: GatewayConfig): CreditMeterOptions {
  const e = config.env;
  return {
    pricing: { tokensPerCredit: e.CREDIT_TOKENS_PER_CREDIT, usdPerToken: e.PRICE_USD_PER_TOKEN },
    reservationTtlMs: e.CREDIT_RESERVATION_TTL_MS,
    defaultMaxTokens: e.DEFAULT_MAX_TOKENS,
    freeTierMaxTokens: e.FREE_TIER_MAX_TOKENS,
  };
}

@Module({})
export class CreditsModule {
  /** Inference plane: the meter (admission + settlement) and the billing producer. */
  static forInference(config: GatewayConfig, reservations: CreditReservations, leases?: CreditLeases): DynamicModule {
    const { AUDIT_BATCH_SIZE: batchSize, AUDIT_FLUSH_MS: flushMs } = config.env;
    return {
      module: CreditsModule,
      imports: [BullModule.registerQueue({ name: BILLING_QUEUE, defaultJobOptions: DEFAULT_JOB_OPTIONS })],
      providers: [
        { provide: CreditReservations, useValue: reservations },
        ...(leases ? [{ provide: CreditLeases, useValue: leases }] : []),
        { provide: BILLING_PRODUCER_OPTIONS, useValue: { batchSize, flushMs, maxBuffered: Math.max(100_000, batchSize * 100), bootId: reservations.owner?.bootId } },
        { provide: CREDIT_METER_OPTIONS, useValue: creditMeterOptions(config) },
        BillingProducer,
        CreditMeter,
      ],
      exports: [CreditMeter, BillingProducer, CreditReservations, CREDIT_METER_OPTIONS],
    };
  }

  /**
   * Control plane: the ledger processor (settlement), the sweeper that settles the calls of dead
   * processes (`lease`: this process's, whose calls are never orphans) and the repository
   * behind the admin endpoints.
   */
  static forControl(config: GatewayConfig, lease?: SweeperLease): DynamicModule {
    const options: LedgerProcessorOptions = {
      concurrency: config.env.AUDIT_WORKER_CONCURRENCY,
      batchSize: config.env.AUDIT_BATCH_SIZE,
      lingerMs: 5,
      maxConcurrentWrites: 1,
      sweepEveryMs: 60_000,
    };
    const e = config.env;
    const orphans: OrphanSweeperOptions = {
      lease,
      othersDead: config.embedded,
      // A threshold within two heartbeats would declare living replicas dead between beats.
      staleMs: Math.max(e.REPLICA_STALE_MS, 2 * e.REPLICA_HEARTBEAT_MS),
      everyMs: Math.min(e.REPLICA_HEARTBEAT_MS, e.REPLICA_STALE_MS),
      pricing: creditMeterOptions(config).pricing,
      batchSize: 500,
    };
    return {
      module: CreditsModule,
      imports: [BullModule.registerQueue({ name: BILLING_QUEUE })],
      providers: [
        { provide: LEDGER_PROCESSOR_OPTIONS, useValue: options },
        { provide: ORPHAN_SWEEPER_OPTIONS, useValue: orphans },
        { provide: DeadLetterStore, useFactory: (ds: DataSource) => new DeadLetterStore(ds), inject: [DataSource] },
        LedgerRepository,
        LedgerProcessor,
        OrphanSweeper,
      ],
      exports: [LedgerRepository, LedgerProcessor, OrphanSweeper],
    };
  }
}

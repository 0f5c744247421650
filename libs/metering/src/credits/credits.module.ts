import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { GatewayConfig } from '@gw/config';
import { DEFAULT_JOB_OPTIONS } from '@gw/queue';
import { BILLING_PRODUCER_OPTIONS, BillingProducer } from './billing.producer';
import { BILLING_QUEUE } from './billing.queue';
import { CREDIT_METER_OPTIONS, CreditMeter, type CreditMeterOptions } from './credit.meter';
import { CreditReservations } from './credit-reservations';
import { LEDGER_PROCESSOR_OPTIONS, LedgerProcessor, type LedgerProcessorOptions } from './ledger.processor';
import { LedgerRepository } from './ledger.repository';

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
  static forInference(config: GatewayConfig, reservations: CreditReservations): DynamicModule {
    const { AUDIT_BATCH_SIZE: batchSize, AUDIT_FLUSH_MS: flushMs } = config.env;
    return {
      module: CreditsModule,
      imports: [BullModule.registerQueue({ name: BILLING_QUEUE, defaultJobOptions: DEFAULT_JOB_OPTIONS })],
      providers: [
        { provide: CreditReservations, useValue: reservations },
        { provide: BILLING_PRODUCER_OPTIONS, useValue: { batchSize, flushMs, maxBuffered: Math.max(100_000, batchSize * 100) } },
        { provide: CREDIT_METER_OPTIONS, useValue: creditMeterOptions(config) },
        BillingProducer,
        CreditMeter,
      ],
      exports: [CreditMeter, BillingProducer, CreditReservations, CREDIT_METER_OPTIONS],
    };
  }

  /** Control plane: the ledger processor (settlement) and the repository behind the admin endpoints. */
  static forControl(config: GatewayConfig): DynamicModule {
    const options: LedgerProcessorOptions = {
      concurrency: config.env.AUDIT_WORKER_CONCURRENCY,
      batchSize: config.env.AUDIT_BATCH_SIZE,
      lingerMs: 5,
      maxConcurrentWrites: 1,
      sweepEveryMs: 60_000,
    };
    return {
      module: CreditsModule,
      imports: [BullModule.registerQueue({ name: BILLING_QUEUE })],
      providers: [{ provide: LEDGER_PROCESSOR_OPTIONS, useValue: options }, LedgerRepository, LedgerProcessor],
      exports: [LedgerRepository, LedgerProcessor],
    };
  }
}

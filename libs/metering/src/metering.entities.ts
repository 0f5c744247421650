import { CreditAccountEntity, CreditLedgerEntity, CreditReservationEntity } from './credits/credit.entities';
import { FreeTierClaimEntity } from './free-tier/free-tier';
import { GatewayReplicaEntity } from './recovery/gateway-replica.entity';

/** Every entity of this lib, for the data source's explicit entity list. */
export const METERING_ENTITIES = [CreditAccountEntity, CreditReservationEntity, CreditLedgerEntity, FreeTierClaimEntity, GatewayReplicaEntity];

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per running process start (boot); `heartbeat_at` older than REPLICA_STALE_MS (or no row) = dead. */
@Entity('gateway_replica')
export class GatewayReplicaEntity {
  @PrimaryColumn({ name: 'boot_id', type: 'uuid' })
  bootId!: string;

  @Column({ type: 'text' })
  role!: string;

  @Column({ type: 'text' })
  host!: string;

  @Column({ type: 'integer' })
  pid!: number;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'heartbeat_at', type: 'timestamptz', default: () => 'now()' })
  heartbeatAt!: Date;
}

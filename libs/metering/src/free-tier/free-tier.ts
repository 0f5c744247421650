import { createHash } from 'node:crypto';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DataSource } from 'typeorm';

/** One row per device that used its anonymous free request (the device is a hash, never the IP). */
@Entity('free_tier_claim')
export class FreeTierClaimEntity {
  @PrimaryColumn({ name: 'device_hash', type: 'text' })
  deviceHash!: string;

  @Column({ name: 'claimed_at', type: 'timestamptz', default: () => 'now()' })
  claimedAt!: Date;
}

/** Device = hash of the client IP (after trusted proxies) and the User-Agent (architecture contract decisions). */
export function freeTierDevice(ip: string, userAgent: string | undefined): string {
  return createHash('sha256').update(`${ip}\n${userAgent ?? ''}`).digest('hex');
}

/**
 * The anonymous free tier: one request per device in total. The claim is one INSERT on the primary
 * key, so two replicas racing for the same device cannot both win.
 */
export class FreeTierClaims {
  constructor(private readonly ds: DataSource) {}

  /** True when this device had not used its free request yet (and now has). */
  async claim(deviceHash: string): Promise<boolean> {
    const rows = await this.ds.query<unknown[]>(
      'INSERT INTO free_tier_claim (device_hash) VALUES ($1) ON CONFLICT (device_hash) DO NOTHING RETURNING device_hash',
      [deviceHash],
    );
    return rows.length === 1;
  }
}

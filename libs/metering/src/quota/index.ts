export * from './quota-window';
export * from './quota-store';
export { quotaTag, QUOTA_WINDOW_MARGIN_MS } from './quota-rules';
export type { QuotaLogger } from './memory-quota.persistence';
export * from './memory-quota.store';
export * from './redis-quota.store';

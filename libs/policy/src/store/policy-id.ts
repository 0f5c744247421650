/** A stored policy's id: a lower-case slug, unique per organisation (the `policy` table checks it too). */
export const POLICY_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
export const MAX_POLICY_ID_LENGTH = 128;

export function isPolicyId(value: unknown): value is string {
  return typeof value === 'string' && POLICY_ID_PATTERN.test(value);
}

/**
 * The id a policy gets from its name when its document has no `policy_id` (Gen 2 documents name a policy,
 * spec §4.1.2): NFKD with the marks dropped (`Café` → `cafe`), lower case, each run of other characters one
 * `-`, trimmed to the id's length. Empty when the name has no letter or digit at all.
 */
export function slugifyPolicyName(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  const slug = ascii.replace(/[^a-z0-9_.]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return slug.slice(0, MAX_POLICY_ID_LENGTH).replace(/[-_.]+$/, '');
}

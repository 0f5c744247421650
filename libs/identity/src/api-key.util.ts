import { hash, randomInt } from 'node:crypto';

export const API_KEY_PREFIX = 'ak_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 32 base62 characters = 190.5 bits of randomness. */
export const API_KEY_RANDOM_CHARS = 32;
const API_KEY_PATTERN = /^ak_[0-9A-Za-z]{32}$/;

/** A fresh plaintext key: `ak_` + 32 base62 characters from the CSPRNG (unbiased: `randomInt`). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBase62(API_KEY_RANDOM_CHARS);
}

/** `length` base62 characters from the CSPRNG (about 5.95 bits each). */
export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** Whether `value` has the shape of a gateway key (checked before any database lookup). */
export function isWellFormedApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

/**
 * SHA-256 of the plaintext (UTF-8): what is stored and looked up (the keys are random, so no salt is needed). Every
 * call computes it, cached key or not: the one-shot `hash` costs about 0.6 µs here against createHash's 1.5 µs.
 */
export function hashApiKey(plaintext: string): Buffer {
  return hash('sha256', plaintext, 'buffer');
}

/** `ak_AbCd…wxyz`: enough to recognise a key, far too little to use it. */
export function previewApiKey(plaintext: string): string {
  return `${plaintext.slice(0, 7)}…${plaintext.slice(-4)}`;
}

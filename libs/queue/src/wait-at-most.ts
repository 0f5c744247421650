/** Resolves when `promise` settles or after `ms`, whichever comes first; leaves no timer behind. */
export async function waitAtMost(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  try {
    await Promise.race([promise?.catch(() => undefined) ?? timeout, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a simulation event keeps of a result: the decision block and finding counts by kind and type; no text. */
export function simulationDetails(result: { policy: Record<string, unknown>; findings: ReadonlyArray<{ kind: string; type: string }> }): Record<string, unknown> {
  const counts: Record<string, number> = {};
  for (const f of result.findings) counts[`${f.kind}:${f.type}`] = (counts[`${f.kind}:${f.type}`] ?? 0) + 1;
  return { policy: result.policy, findings: counts };
}

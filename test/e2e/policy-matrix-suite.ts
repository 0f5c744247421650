import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { query } from '../support/metering-e2e';
import { waitForRows } from '../support/databases';
import { e2eCatalog, type SuiteMode } from '../support/e2e-modes';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { SURFACE_NAMES, SurfaceDrivers, type CallOutcome, type SurfaceName } from '../support/policy-drivers';

type Decision = 'allow' | 'rewrite' | 'summary' | 'escalate' | 'refuse' | 'redact';

const DENY = 'forbidden topic';
const gen2 = (rules: Record<string, unknown>) => ({ policy_id: 'matrix', config: { rules } });
/**
 * One inline policy and one prompt per decision; the same policy must give the same decision on every surface.
 * Where the model is called, the denied term is in the system prompt: the fake echoes the user's text, and an
 * echoed denied term would (rightly) be cut by the output check.
 */
const SYS = `Never discuss the ${DENY}.`;
const CASES: Record<Decision, { policy: unknown; text: string; system?: string }> = {
  allow: { policy: gen2({ denylist: [DENY] }), text: 'hello there' },
  rewrite: { policy: gen2({ denylist: [DENY], enforcement_action: 'rewrite', rewrite_instruction: 'POLICY-REWRITE-MARKER' }), text: 'tell me more', system: SYS },
  summary: { policy: gen2({ denylist: [DENY], enforcement_action: 'summarize', summary_instruction: 'POLICY-SUMMARY-MARKER' }), text: 'explain it', system: SYS },
  escalate: { policy: gen2({ denylist: [DENY], enforcement_action: 'escalate', escalation_path: 'review@example.com' }), text: `the ${DENY} again` },
  refuse: { policy: gen2({ denylist: [DENY], enforcement_action: 'block' }), text: `FORBIDDEN   Topic please` },
  redact: { policy: gen2({ redact_pii: true }), text: 'mail bob@example.com or call +1 (415) 555-2671' },
};

/** Issue 9's matrix: every decision × three surfaces × stream and not, through the official SDKs against the fake upstream. */
export function definePolicyMatrix(mode: SuiteMode): void {
  describe(`policy decisions on every surface (${mode.name})`, () => {
    let fake: FakeUpstream;
    let gw: GatewayProcess;
    let drivers: SurfaceDrivers;
    const seen: Array<{ decision: Decision; outcome: CallOutcome }> = [];

    before(async () => {
      fake = await startFakeUpstream();
      gw = await startGateway({ ...(await mode.env()), CATALOG_JSON: JSON.stringify(e2eCatalog(fake)) });
      drivers = new SurfaceDrivers(`${gw.info.inferenceUrl}/policy`, await mode.apiKey(gw));
    });

    after(async () => {
      const code = await gw?.stop();
      await fake?.close();
      assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
    });

    for (const decision of Object.keys(CASES) as Decision[]) {
      for (const surface of SURFACE_NAMES) {
        for (const stream of [false, true]) {
          it(`${decision} on ${surface}${stream ? ' (stream)' : ''}`, async () => {
            const before = fake.requests.length;
            const { policy, text, system } = CASES[decision];
            const out = await drivers.call(surface, { text, system, stream, model: 'fake-model', extra: { policy, policy_user: 'user-42', policy_target: 'matrix-bot' } });
            seen.push({ decision, outcome: out });
            const upstream = fake.requests.slice(before).map((r) => JSON.stringify(r.body));
            check(decision, surface, out, upstream);
          });
        }
      }
    }

    it('audits every call once with its decision; refusals and escalations cost nothing, a summary costs two calls', async () => {
      const ids = seen.map((s) => s.outcome.requestId);
      assert.ok(ids.every(Boolean), 'every call has a request id');
      const db = mode.databaseUrl(gw);
      const rows = await waitForRows<{ request_id: string; http_status: number; attributes: { policy?: { decision?: string } } }>(
        db,
        'SELECT request_id, http_status, attributes FROM audit_event WHERE request_id = ANY($1)',
        [ids],
        ids.length,
      );
      assert.equal(rows.length, ids.length, 'one audit row per call');
      for (const { decision, outcome } of seen) {
        const row = rows.find((r) => r.request_id === outcome.requestId)!;
        assert.equal(row.attributes.policy?.decision, decision, `audit decision of ${outcome.requestId}`);
        assert.equal(row.http_status, decision === 'refuse' ? 403 : 200);
      }
      const ledger = await query<{ entry_id: string }>(db, 'SELECT entry_id FROM credit_ledger WHERE entry_id LIKE ANY($1)', [ids.map((id) => `${id}%`)]).catch(() => null);
      if (ledger) {
        for (const { decision, outcome } of seen) {
          const n: number = ledger.filter((l) => l.entry_id.startsWith(outcome.requestId)).length;
          const want = decision === 'refuse' || decision === 'escalate' ? 0 : decision === 'summary' ? 2 : 1;
          assert.equal(n, want, `${decision}: ${n} ledger entries for ${outcome.requestId}`);
        }
      }
    });
  });
}

function check(decision: Decision, surface: SurfaceName, out: CallOutcome, upstream: string[]): void {
  const label = `${decision}/${surface}`;
  if (decision === 'refuse') {
    assert.equal(out.status, 403, `${label}: ${out.error?.message}`);
    assert.equal(upstream.length, 0, `${label}: the model was not called`);
    const err = out.error!;
    if (surface === 'messages') assert.equal((err.error as { error?: { type?: string } }).error?.type, 'permission_error');
    else assert.deepEqual([(err as { type?: string }).type, (err as { code?: string }).code], ['policy_violation', 'policy_refused']);
    assert.equal(err.constructor.name, 'PermissionDeniedError', 'the SDK raises its 403 class');
    assert.equal(out.errorPolicy?.decision, 'refuse');
    assert.deepEqual(out.errorPolicy?.denylist_hits, [DENY], 'the hit is the policy term, not the user text');
    return;
  }
  assert.equal(out.status, 200, `${label}: ${out.error?.message}`);
  assert.ok(out.policies.length > 0 && out.policies.every((p) => p?.decision === decision), `${label}: policy on every frame: ${JSON.stringify(out.policies.map((p) => p?.decision))}`);
  const p = out.policies[0]!;
  assert.equal(p.policy_id, 'matrix');
  assert.equal(p.effective_decision, decision);
  assert.equal(p.enforced, true);
  assert.equal(p.rollout_mode, 'enforced');
  assert.equal(p.policy_target, 'matrix-bot');
  assert.equal(p.policy_user, 'user-42');
  assert.ok(upstream.every((b) => !b.includes('"policy"') && !b.includes('policy_user')), `${label}: no policy field reaches the upstream`);
  switch (decision) {
    case 'allow':
      assert.equal(upstream.length, 1);
      assert.match(out.text, /echo: hello there/);
      break;
    case 'rewrite':
      assert.equal(upstream.length, 1);
      assert.match(upstream[0], /POLICY-REWRITE-MARKER/);
      assert.deepEqual(p.denylist_hits, [DENY]);
      break;
    case 'summary':
      assert.equal(upstream.length, 2, `${label}: the answer, then its summary`);
      assert.match(upstream[1], /POLICY-SUMMARY-MARKER/);
      assert.match(out.text, /^echo: echo: explain it/);
      break;
    case 'escalate':
      assert.equal(upstream.length, 0, `${label}: no model call`);
      assert.match(out.text, /Reference: esc_[0-9a-f]{32}/);
      break;
    case 'redact':
      assert.equal(upstream.length, 1);
      assert.ok(!upstream[0].includes('bob@example.com') && !upstream[0].includes('555-2671'), `${label}: the upstream never saw the PII: ${upstream[0]}`);
      assert.match(out.text, /\[EMAIL_1\].*\[PHONE_1\]/);
      break;
  }
}

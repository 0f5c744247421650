/** What a policy run is given: the compiled policy, who the request is for, its classifiers and limits. */
import type { CallSignal } from '@gw/inference';
import type { CategoryVerdict, CompiledPolicy, ContentClassifier, RolloutOverrideState } from '../engine';

/** Who the request is for, as the policy surface names it (spec §4.6, §4.8). */
export interface PolicySubject {
  /** `X-Policy-User` / `policy_user` / `policy_user_id`. */
  policyUser: string | null;
  /** The quota subject: the policy user, else the caller's user id, else its key id. */
  quotaSubject: string | null;
  /** `X-Policy-Target` / `policy_target`: the caller's label. */
  target: string | null;
  projectId: string | null;
}

export interface PolicyRunOptions {
  policy: CompiledPolicy;
  subject: PolicySubject;
  /** The policy's classifier (null when the policy flags no categories). */
  classifier: ContentClassifier | null;
  /** A synchronous classifier for streamed output (the built-in lexicon), when the policy's own is remote. */
  streamClassify?: (text: string) => CategoryVerdict[];
  holdChars: number;
  signal?: CallSignal;
  /** The stored policy's rollout state (a rollback holds it in shadow); absent for inline policies. */
  rollout?: RolloutOverrideState;
}

/** Helpers over a synthesised template's JSON. */
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Synthesized } from './synth.js';

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function logicalId(s: Synthesized, construct: IConstruct): string {
  const child = (construct.node.defaultChild ?? construct) as CfnElement;
  return s.stack.getLogicalId(child);
}

export function resourcesOfType(
  s: Synthesized,
  type: string,
): [string, { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>][] {
  return Object.entries(s.json.Resources).filter(([, r]) => r.Type === type);
}

/** Every identity-policy statement attached to the role. */
export function roleStatements(s: Synthesized, roleId: string): Statement[] {
  const out: Statement[] = [];
  for (const [, policy] of resourcesOfType(s, 'AWS::IAM::Policy')) {
    const props = policy.Properties as {
      Roles: unknown[];
      PolicyDocument: { Statement: Statement[] };
    };
    if (!props.Roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }))) continue;
    out.push(...props.PolicyDocument.Statement);
  }
  // Inline and managed policies on the role itself would bypass the checks: there must be none.
  const role = s.json.Resources[roleId]?.Properties ?? {};
  if ('Policies' in role || 'ManagedPolicyArns' in role)
    throw new Error(`${roleId} has inline or managed policies`);
  return out;
}

export function actionsOf(statements: Statement[]): string[] {
  const set = new Set<string>();
  for (const st of statements) {
    if (st.Effect !== 'Allow') continue;
    for (const a of Array.isArray(st.Action) ? st.Action : [st.Action]) set.add(a);
  }
  return [...set].sort();
}

export function byService(actions: string[], service: string): string[] {
  return actions.filter((a) => a.startsWith(`${service}:`));
}

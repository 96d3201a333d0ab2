/** `userGroup` router: the user name, or one of the user's auth groups, → group. */
import type { Decision, Router, RoutingInput } from './types.js';

export class UserGroupRouter implements Router {
  readonly kind = 'userGroup';
  private readonly byUser = new Map<string, Decision>();
  private readonly byAuthGroup: [string, Decision][];

  constructor(
    readonly rule: string,
    cfg: { userToGroup: Record<string, string>; authGroupToGroup: Record<string, string> },
  ) {
    for (const [user, group] of Object.entries(cfg.userToGroup)) this.byUser.set(user, Object.freeze({ group, rule, reason: `user ${user} → ${group}` }));
    this.byAuthGroup = Object.entries(cfg.authGroupToGroup).map(([g, group]) => [g, Object.freeze({ group, rule, reason: `user in auth group ${g} → ${group}` })]);
  }

  match(input: RoutingInput): Decision | undefined {
    const d = this.byUser.get(input.request.user);
    if (d !== undefined) return d;
    if (this.byAuthGroup.length === 0) return undefined;
    const groups = input.userGroups;
    for (const [g, decision] of this.byAuthGroup) if (groups.includes(g)) return decision;
    return undefined;
  }
}

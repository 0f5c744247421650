import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppUserRepository } from './app-user.repository';
import { UserStateCache, type UserState } from './user-state.cache';

/**
 * The current role, status and token version of a user, as authorisation must see it on every
 * request: from the cache while its change feed listens (no database read on the hot path), from
 * the database otherwise.
 */
@Injectable()
export class UserStateService {
  constructor(
    private readonly users: AppUserRepository,
    @Optional() @Inject(UserStateCache) private readonly cache?: UserStateCache,
  ) {}

  async current(userId: string): Promise<UserState | null> {
    const cached = this.cache?.get(userId);
    if (cached !== undefined) return cached;
    const ticket = this.cache?.ticket() ?? 0;
    const state = await this.users.state(userId);
    this.cache?.set(userId, state, ticket);
    return state;
  }
}

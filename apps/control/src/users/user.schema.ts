import { MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ROLES, type Role } from '@gw/identity';
import { bodyValidator } from './body-validator';

export interface CreateUserBody {
  email: string;
  role: Role;
}

export interface UpdateUserBody {
  role?: Role;
  disabled?: boolean;
}

export interface ChangePasswordBody {
  current_password: string;
  new_password: string;
}

const email = { type: 'string', format: 'email', minLength: 3, maxLength: MAX_EMAIL_LENGTH, example: 'ada@example.com' };
const role = { type: 'string', enum: [...ROLES] };

/** `POST /api/users`: the password is generated and returned once (see the README). */
export const CREATE_USER_BODY_SCHEMA = {
  type: 'object',
  required: ['email', 'role'],
  additionalProperties: false,
  properties: { email, role },
};

/** `PATCH /api/users/{id}`: at least one of the two. */
export const UPDATE_USER_BODY_SCHEMA = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: { role, disabled: { type: 'boolean' } },
};

/** `POST /api/users/me/password`. The current password is only compared, so any string up to the cap will do. */
export const CHANGE_PASSWORD_BODY_SCHEMA = {
  type: 'object',
  required: ['current_password', 'new_password'],
  additionalProperties: false,
  properties: {
    current_password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH },
    new_password: { type: 'string', format: 'password', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH },
  },
};

export const parseCreateUserBody = bodyValidator<CreateUserBody>(CREATE_USER_BODY_SCHEMA);
export const parseUpdateUserBody = bodyValidator<UpdateUserBody>(UPDATE_USER_BODY_SCHEMA);
export const parseChangePasswordBody = bodyValidator<ChangePasswordBody>(CHANGE_PASSWORD_BODY_SCHEMA);

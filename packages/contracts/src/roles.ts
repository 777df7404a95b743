/** Roles, each including the ones after it: admin ⊃ operator ⊃ readonly. (No schema library here: the CLI loads it at start.) */
export const ROLES = ['admin', 'operator', 'readonly'] as const;
export type Role = (typeof ROLES)[number];

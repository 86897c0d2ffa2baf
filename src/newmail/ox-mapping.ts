// SPDX-License-Identifier: GPL-3.0-or-later
// The rule that maps the `user` of a Dovecot OX driver request to the (backend, vuser) the
// table is asked about: the backend is --ox-backend; the vuser is --ox-vuser, a template with
// Dovecot's own variables for a user name.

export interface MappedUser {
  backend: string;
  vuser: string;
}

/** The variables a template may use, as Dovecot names them. */
const VARIABLES: Record<string, (user: string) => string> = {
  u: (user) => user,
  n: (user) => user.split('@')[0] ?? user,
  d: (user) => (user.includes('@') ? user.slice(user.indexOf('@') + 1) : ''),
  '%': () => '%',
};

/** Why `template` is unusable, or undefined when it is fine. */
export function templateProblem(template: string): string | undefined {
  const unknown = /%(.?)/g;
  let uses = 0;
  for (const [, name = ''] of template.matchAll(unknown)) {
    if (!(name in VARIABLES)) return `unknown variable %${name} (known: %u the user, %n its part before @, %d its domain, %% a percent sign)`;
    if (name !== '%') uses++;
  }
  return uses === 0 ? 'uses no variable, so every user would map to the same vuser' : undefined;
}

/** The mapping of `user` by `template` (already checked with templateProblem). */
export function mapOxUser(backend: string, template: string, user: string): MappedUser {
  return { backend, vuser: template.replace(/%(.)/g, (_all, name: string) => VARIABLES[name]?.(user) ?? '') };
}

// A one-time greeting after sign-up: the form leaves a note for the new organization, its
// overview page reads it once (so a reload or a later visit does not repeat it).

const WELCOME_KEY = 'sightline-welcome';

export function leaveWelcome(orgId: string): void {
  try {
    sessionStorage.setItem(WELCOME_KEY, orgId);
  } catch {
    // Storage refused (private mode): no welcome note, nothing else lost.
  }
}

/** True once for the org the user just created; clears the note. */
export function takeWelcome(orgId: string): boolean {
  try {
    if (sessionStorage.getItem(WELCOME_KEY) !== orgId) return false;
    sessionStorage.removeItem(WELCOME_KEY);
    return true;
  } catch {
    return false;
  }
}

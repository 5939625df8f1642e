// The user's privacy choices: kept by the client (setConsent, and the stored copy it reads at
// start), checked before it queues or sends anything, and told to the server by
// `privacyControls` (privacy.ts). The checks themselves stay inline in client.ts: each helper
// call costs bytes in the browser build, whose budget (size.test.ts) has almost none to spare.

/** What the user allowed, as in the seed's privacy settings; unset means the app's default. */
export interface Consent {
  analytics?: boolean;
  crashReports?: boolean;
}

/** The client's record of the choices; `synced` false while the server has not heard them. */
export type ConsentState = Consent & { synced?: boolean };

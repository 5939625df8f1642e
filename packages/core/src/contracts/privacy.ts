// Privacy request vocabulary shared by the api and the portal.

export const PRIVACY_REQUEST_KINDS = ['EXPORT', 'DELETE'] as const;
export type PrivacyRequestKind = (typeof PRIVACY_REQUEST_KINDS)[number];

// The client SDK arrives with its own issue; the package exists now so the workspace
// layout matches ARCHITECTURE.md and later work fills it in.
export const SDK_NAME = '@sightline/sdk';

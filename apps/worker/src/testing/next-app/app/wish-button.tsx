'use client';

import { useSightline } from '@sightline/sdk/next';

/** A custom event through the running client (null until it started; re-rendered then). */
export function WishButton() {
  const sightline = useSightline();
  return (
    <button
      id="wish"
      disabled={!sightline}
      onClick={() => sightline?.track('feature_used', { feature_name: 'wishlist' })}
    >
      Add to wishlist
    </button>
  );
}

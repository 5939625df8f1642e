'use client';

import { useState } from 'react';

/** Breaks while rendering once clicked: the nearest error.tsx takes over. */
export function Basket() {
  const [broken, setBroken] = useState(false);
  if (broken) throw new RangeError('basket total out of range');
  return (
    <button id="add" onClick={() => setBroken(true)}>
      Add to basket
    </button>
  );
}

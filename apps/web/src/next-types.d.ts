// Next writes next-env.d.ts on its first build (it is not committed); these references
// let `tsc` typecheck a fresh clone before any build.
/// <reference types="next" />
/// <reference types="next/image-types/global" />

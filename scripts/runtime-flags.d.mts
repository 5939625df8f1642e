export declare const NODE_FLAGS: { api: string[]; worker: string[] };
export declare const RUNTIME_ENV: Record<string, string>;

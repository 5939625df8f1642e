export declare function buildServices(names?: Array<'api' | 'worker'>): Promise<void>;
export declare function buildSdkScripts(): Promise<void>;

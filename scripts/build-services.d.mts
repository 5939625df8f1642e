export declare function buildServices(names?: Array<'api' | 'worker'>): Promise<void>;

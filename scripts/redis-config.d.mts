export declare const DURABLE_SETTINGS: Array<[string, string]>;
export declare function redisServerArgs(options: {
  port: number | string;
  dir: string;
  bind?: string;
  logfile?: string;
  daemonize?: boolean;
}): string[];

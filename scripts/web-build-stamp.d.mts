export declare function webBuildIsCurrent(webDir: string): boolean;
export declare function recordWebBuild(webDir: string): void;

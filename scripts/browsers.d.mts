// Types of scripts/browsers.mjs, for the TypeScript end-to-end tests and benchmarks.
export declare const chromiumPath: string;
export declare const firefoxPath: string;
export declare const chromiumArgs: string[];
export declare const firefoxPrefs: Record<string, boolean | number | string>;

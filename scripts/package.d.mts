export declare const RELEASE_DIR: string;
export declare function checkEntries(target: string, names: readonly string[]): string[];

export declare const RELEASE_DIR: string;
export declare function checkEntries(target: string, names: readonly string[]): string[];
export declare function manifestForTarget(manifestText: string, target: string): string;
export declare function checkManifest(target: string, manifest: unknown): string[];

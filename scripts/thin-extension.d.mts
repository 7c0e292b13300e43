import type { Metafile } from 'esbuild';

export declare const FORBIDDEN_IN_EXTENSION: readonly string[];
export declare const NETWORK_MODULES: readonly string[];
export declare function checkThinExtension(metafile: Metafile, outputPath: string): string[];

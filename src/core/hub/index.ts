// The hub module's public surface: downloads into a huggingface_hub-compatible cache, and model name resolution.
export { downloadModel, type DownloadOptions, type DownloadResult } from './download-model';
export { resolveModel, type ResolvedModel } from './resolve-model';
export { downloadTokenizer } from './download-tokenizer';
export { parseRepoSpec, looksLikeRepoSpec, DEFAULT_REVISION, type RepoSpec } from './repo-spec';
export { defaultCacheRoot, repoFolderName } from './cache-layout';
export { resolveHubSettings, DEFAULT_ENDPOINT, type HubSettings, type HubSettingsInput } from './hub-settings';
export type { DownloadProgress, ProgressListener } from './progress';
export type { HubLog } from './hub-client';
export { loadRegistry, findRegistryEntry, type RegistryEntry, type ModelTask } from './registry';

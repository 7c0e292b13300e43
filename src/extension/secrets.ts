// Keys of the values kept in VS Code's secret store (the OS keychain).

/** The Hugging Face access token for gated or private repositories. */
export const HUB_TOKEN_SECRET = 'longformerLens.hubToken';

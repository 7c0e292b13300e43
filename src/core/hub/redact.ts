// The access token must never reach a log line, an error message or a progress event; every string built from
// something outside our control (server text, library errors) passes through here before it is shown.

export type Redactor = (text: string) => string;

export function makeRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const present = secrets.filter((secret): secret is string => secret !== undefined && secret.length > 0);
  return (text: string): string => {
    let out = text;
    for (const secret of present) out = out.split(secret).join('***');
    // Also any bearer header or hub token pattern, in case a token arrived some other way (a proxy echoing it).
    return out.replace(/(Bearer\s+)[^\s"',;]+/gi, '$1***').replace(/\bhf_[A-Za-z0-9]{8,}\b/g, 'hf_***');
  };
}

// The server process environment: the editor's own plus the API keys from SecretStorage (pure).

/** Environment variable names the "Set API key" command offers first. */
export const KNOWN_KEY_VARIABLES: readonly string[] = [
  "ANTHROPIC_API_KEY",
  "OPENAI_API_KEY",
  "GEMINI_API_KEY",
];

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when `name` can be an environment variable name. */
export function isValidVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

/** Secret storage key under which the value for `variable` is kept. */
export function secretKey(variable: string): string {
  return `deepReview.apiKey.${variable}`;
}

/**
 * The environment for the server: the base, then the stored keys on top (a key set in the
 * editor wins over one inherited from the shell). Empty or invalid entries are left out.
 */
export function buildServerEnv(
  base: Readonly<Record<string, string | undefined>>,
  keys: ReadonlyMap<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined) {
      env[name] = value;
    }
  }
  for (const [name, value] of keys) {
    if (isValidVariableName(name) && value !== "") {
      env[name] = value;
    }
  }
  return env;
}

/** Replaces every stored key value in `text` with a placeholder (defence in depth for logs). */
export function maskSecrets(text: string, keys: ReadonlyMap<string, string>): string {
  let masked = text;
  for (const [name, value] of keys) {
    if (value.length >= 4) {
      masked = masked.split(value).join(`<${name}>`);
    }
  }
  return masked;
}
